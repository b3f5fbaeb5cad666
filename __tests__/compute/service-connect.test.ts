/**
 * ECS Service Connect (issue 14): the frontend reaches the backend inside the VPC by a short name,
 * the browser keeps the public URL, and the backend's port admits the frontend's group.
 */
import { ConfigError, loadEnvironment, type EnvironmentInput } from "../../config";
import { environmentOf, messageOf, resourceList, resources, staging, synthEnvironment, taskDefinition, type Synth } from "../helpers";

const enabled: EnvironmentInput = { ...staging, serviceConnect: { enabled: true } };
const { json } = synthEnvironment(enabled);
const plain = synthEnvironment(staging).json;
const serviceNamed = (j: Synth, name: string) => resourceList(j, "aws_ecs_service").find((s) => s.name === name)!;
const sgId = (j: Synth, name: string) => Object.entries(resources(j, "aws_security_group")).find(([, sg]) => sg.name === name)![0];

describe("GIVEN Service Connect enabled", () => {
  test("THEN the environment has a Cloud Map HTTP namespace", () => {
    expect(resourceList(json, "aws_service_discovery_http_namespace")).toEqual([expect.objectContaining({ name: "webapp-staging" })]);
  });

  test("THEN the backend offers its port as http://backend:8000, with the proxy's logs in its log group", () => {
    const config = serviceNamed(json, "webapp-staging-backend").service_connect_configuration as Record<string, any>;
    expect(config).toMatchObject({
      enabled: true,
      namespace: expect.stringMatching(/^\$\{aws_service_discovery_http_namespace\.service-connect_namespace_[A-F0-9]+\.arn\}$/),
      service: [{ port_name: "http", discovery_name: "backend", client_alias: { port: 8000, dns_name: "backend" } }],
      log_configuration: { log_driver: "awslogs", options: { "awslogs-group": "/webapp/staging/ecs/backend", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "service-connect" } },
    });
    const [container] = taskDefinition(json, "webapp-staging-backend").containers;
    expect(container.portMappings).toEqual([{ containerPort: 8000, hostPort: 8000, protocol: "tcp", name: "http", appProtocol: "http" }]);
  });

  test("THEN the frontend is a client only, and calls the backend at BACKEND_INTERNAL_URL while the browser keeps the public URL", () => {
    const config = serviceNamed(json, "webapp-staging-frontend").service_connect_configuration as Record<string, any>;
    expect(config.enabled).toBe(true);
    expect(config.service).toBeUndefined();
    const env = environmentOf(taskDefinition(json, "webapp-staging-frontend").containers[0]);
    expect(env).toMatchObject({ BACKEND_INTERNAL_URL: "http://backend:8000/api", NEXT_PUBLIC_API_URL: "https://staging.example.com/api", API_URL: "https://staging.example.com/api" });
  });

  test("THEN the backend's group admits the frontend's on the container port, and the frontend may send there", () => {
    const backend = `\${aws_security_group.${sgId(json, "webapp-staging-backend")}.id}`;
    const frontend = `\${aws_security_group.${sgId(json, "webapp-staging-frontend")}.id}`;
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === backend && r.referenced_security_group_id === frontend)).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 8000, to_port: 8000, description: "backend port from frontend (Service Connect)" }),
    ]);
    expect(resourceList(json, "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id === frontend && r.referenced_security_group_id === backend)).toEqual([
      expect.objectContaining({ from_port: 8000, to_port: 8000 }),
    ]);
  });

  test("THEN the security groups themselves are unchanged (enabling it on a running environment replaces no group)", () => {
    expect(resources(json, "aws_security_group")).toEqual(resources(plain, "aws_security_group"));
  });

  test("THEN with host routing the internal URL has no path prefix, like API_URL", () => {
    const host = synthEnvironment({ ...enabled, routing: { mode: "host", hostName: "api.staging.example.com" }, domain: { ...staging.domain, alternativeNames: ["api.staging.example.com"] } }).json;
    const env = environmentOf(taskDefinition(host, "webapp-staging-frontend").containers[0]);
    expect([env.API_URL, env.BACKEND_INTERNAL_URL]).toEqual(["https://api.staging.example.com", "http://backend:8000"]);
  });

  test("THEN a custom name reaches the alias and the URL", () => {
    const custom = synthEnvironment({ ...staging, serviceConnect: { enabled: true, dnsName: "api" } }).json;
    expect((serviceNamed(custom, "webapp-staging-backend").service_connect_configuration as any).service[0].client_alias).toEqual({ port: 8000, dns_name: "api" });
    expect(environmentOf(taskDefinition(custom, "webapp-staging-frontend").containers[0]).BACKEND_INTERNAL_URL).toBe("http://api:8000/api");
  });
});

describe("GIVEN Service Connect off (the default)", () => {
  test("THEN no namespace, no service_connect_configuration, no named port and no BACKEND_INTERNAL_URL", () => {
    expect(resourceList(plain, "aws_service_discovery_http_namespace")).toEqual([]);
    for (const service of resourceList(plain, "aws_ecs_service")) expect(service.service_connect_configuration).toBeUndefined();
    expect(taskDefinition(plain, "webapp-staging-backend").containers[0].portMappings).toEqual([{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }]);
    expect(environmentOf(taskDefinition(plain, "webapp-staging-frontend").containers[0]).BACKEND_INTERNAL_URL).toBeUndefined();
  });

  test("a name that is not one DNS label fails at load", () => {
    expect(messageOf(() => loadEnvironment({ ...staging, serviceConnect: { enabled: true, dnsName: "Backend.internal" } }), ConfigError)).toContain(
      'serviceConnect.dnsName: got "Backend.internal"; must be one lowercase DNS label such as "backend"',
    );
  });
});
