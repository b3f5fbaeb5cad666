import { NameError, Naming, checkName } from "../../constructs/core/naming";

describe("Naming", () => {
  const naming = new Naming("shop", "staging");

  test("builds <project>-<environment>-<component>", () => {
    expect(naming.name("loadBalancer", "alb")).toBe("shop-staging-alb");
    expect(naming.name("iamRole", "backend-task")).toBe("shop-staging-backend-task");
    expect(naming.prefix).toBe("shop-staging");
  });

  test("is deterministic: the same inputs always give the same name", () => {
    expect(new Naming("shop", "staging").name("s3Bucket", "uploads")).toBe(new Naming("shop", "staging").name("s3Bucket", "uploads"));
  });

  test("bucket names end with the account id, because S3 names are global", () => {
    expect(new Naming("shop", "staging", "123456789012").bucketName("uploads")).toBe("shop-staging-uploads-123456789012");
    expect(() => naming.bucketName("uploads")).toThrow(/needs the account id/);
    expect(() => new Naming("shop", "production", "123456789012").bucketName("a-very-long-component-name-for-a-bucket")).toThrow(/AWS allows at most 63/);
  });

  test("log groups are paths under /<project>/<environment>/", () => {
    expect(naming.logGroup("ecs/backend")).toBe("/shop/staging/ecs/backend");
  });

  test.each([
    ["loadBalancer", 32],
    ["targetGroup", 32],
    ["s3Bucket", 63],
    ["dbInstance", 63],
    ["iamRole", 64],
  ] as const)("%s names are limited to %i characters", (kind, max) => {
    const fits = "a".repeat(max - "shop-staging-".length);
    expect(naming.name(kind, fits)).toHaveLength(max);
    expect(() => naming.name(kind, `${fits}b`)).toThrow(new RegExp(`is ${max + 1} characters long; AWS allows at most ${max}`));
  });

  test("a too-long name error names the kind and the value", () => {
    const long = new Naming("a-very-long-project", "production");
    expect(() => long.name("targetGroup", "frontend")).toThrow(NameError);
    expect(() => long.name("targetGroup", "frontend")).toThrow('Cloud name "a-very-long-project-production-frontend" for targetGroup is 39 characters long');
  });

  test("S3 bucket names must be lowercase", () => {
    expect(() => new Naming("Shop", "staging").name("s3Bucket", "uploads")).toThrow(/characters AWS does not accept; allowed: lowercase letters/);
  });

  test("RDS identifiers reject double hyphens", () => {
    expect(() => checkName("dbInstance", "shop--staging-db")).toThrow(NameError);
    expect(checkName("dbInstance", "shop-staging-db")).toBe("shop-staging-db");
  });

  test("load balancer names cannot end with a hyphen", () => {
    expect(() => checkName("loadBalancer", "shop-staging-")).toThrow(/not starting or ending with a hyphen/);
  });
});
