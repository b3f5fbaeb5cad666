import { idOf, production, resourceList, staging, synthEnvironment } from "../helpers";

const s = synthEnvironment(staging).json;
const p = synthEnvironment(production).json;
const db = (json: typeof s) => resourceList(json, "aws_db_instance")[0];

describe("Database", () => {
  test("MySQL 8.0 in the isolated subnets, never public", () => {
    expect(db(s)).toMatchObject({ engine: "mysql", engine_version: "8.0", publicly_accessible: false, identifier: "webapp-staging-mysql" });
    const [group] = resourceList(s, "aws_db_subnet_group");
    expect(group.subnet_ids).toEqual([expect.stringMatching(/network_isolated-a/), expect.stringMatching(/network_isolated-b/)]);
    expect(db(s).db_subnet_group_name).toMatch(/aws_db_subnet_group\./);
  });

  test("the master password is managed by RDS in Secrets Manager: none in code or state", () => {
    expect(db(s).manage_master_user_password).toBe(true);
    expect(db(s).password).toBeUndefined();
    expect(JSON.stringify(s)).not.toMatch(/"password"\s*:/);
  });

  test("encrypted gp3 storage with size and class from config", () => {
    expect(db(s)).toMatchObject({ storage_encrypted: true, storage_type: "gp3", instance_class: "db.t4g.micro", allocated_storage: 20, max_allocated_storage: 50 });
    expect(db(p)).toMatchObject({ instance_class: "db.t4g.medium", allocated_storage: 50, max_allocated_storage: 200 });
  });

  test("backups, minor upgrades, snapshot tags and log exports", () => {
    expect(db(p)).toMatchObject({
      backup_retention_period: 14,
      auto_minor_version_upgrade: true,
      copy_tags_to_snapshot: true,
      enabled_cloudwatch_logs_exports: ["error", "slowquery"],
    });
    expect(resourceList(p, "aws_cloudwatch_log_group")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "/aws/rds/instance/webapp-production-mysql/error", retention_in_days: 365 }),
        expect.objectContaining({ name: "/aws/rds/instance/webapp-production-mysql/slowquery", retention_in_days: 365 }),
      ]),
    );
  });

  test("production: Multi-AZ, deletion protection, final snapshot, prevent_destroy (T13)", () => {
    expect(db(p)).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      // Unique per database lifetime (creation time, frozen by ignore_changes): a rebuilt environment can be destroyed again.
      final_snapshot_identifier: 'webapp-production-mysql-final-${formatdate("YYYYMMDDhhmmss", timestamp())}',
      lifecycle: { prevent_destroy: true, ignore_changes: ["final_snapshot_identifier"] },
    });
  });

  test("staging: single-AZ, deletable, no final snapshot, as configured", () => {
    expect(db(s)).toMatchObject({ multi_az: false, deletion_protection: false, skip_final_snapshot: true, lifecycle: { prevent_destroy: false } });
    expect(db(s).final_snapshot_identifier).toBeUndefined();
  });

  test("parameter group: utf8mb4 and TLS required", () => {
    const [group] = resourceList(s, "aws_db_parameter_group");
    expect(group).toMatchObject({ family: "mysql8.0", name: "webapp-staging-mysql80", lifecycle: { create_before_destroy: true } });
    expect(group.parameter).toEqual(
      expect.arrayContaining([
        { name: "character_set_server", value: "utf8mb4" },
        { name: "require_secure_transport", value: "ON" },
      ]),
    );
    expect(db(s).parameter_group_name).toMatch(/aws_db_parameter_group\./);
  });

  test("port 3306 is open only to the backend's security group (and staging's queue worker's, which runs the backend's code)", () => {
    const dbSg = idOf(s, "aws_security_group", (x) => x.name === "webapp-staging-mysql");
    const backendSg = idOf(s, "aws_security_group", (x) => x.name === "webapp-staging-backend");
    const workerSg = idOf(s, "aws_security_group", (x) => x.name === "webapp-staging-worker-default");
    const ingress = resourceList(s, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `\${${dbSg}.id}`);
    expect(ingress).toEqual([
      expect.objectContaining({ referenced_security_group_id: `\${${backendSg}.id}`, from_port: 3306, to_port: 3306, ip_protocol: "tcp" }),
      expect.objectContaining({ referenced_security_group_id: `\${${workerSg}.id}`, from_port: 3306, to_port: 3306, ip_protocol: "tcp" }),
    ]);
    expect(resourceList(s, "aws_vpc_security_group_egress_rule")).toContainEqual(
      expect.objectContaining({ security_group_id: `\${${backendSg}.id}`, referenced_security_group_id: `\${${dbSg}.id}`, from_port: 3306 }),
    );
  });

  test("the frontend cannot reach the database", () => {
    const frontendSg = idOf(s, "aws_security_group", (x) => x.name === "webapp-staging-frontend");
    const rules = [...resourceList(s, "aws_vpc_security_group_ingress_rule"), ...resourceList(s, "aws_vpc_security_group_egress_rule")];
    expect(rules.filter((r) => r.from_port === 3306 && JSON.stringify(r).includes(frontendSg))).toEqual([]);
  });

  test("a maximum storage below the allocated storage fails in config", () => {
    expect(() => synthEnvironment({ ...staging, database: { ...staging.database, maxAllocatedStorageGiB: 10 } })).toThrow(/database\.maxAllocatedStorageGiB: got 10; must be at least 20/);
  });
});
