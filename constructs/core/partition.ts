/** The ARN partition of a region (aws, aws-cn, aws-us-gov), without an AWS look-up. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
