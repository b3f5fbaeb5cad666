import { expect, notApplicable, type Rule } from "./rule";

/** Security Hub ELB.1: Application Load Balancers should redirect all HTTP requests to HTTPS. */
export const elb1: Rule = {
  id: "ELB.1",
  title: "HTTP listeners redirect to HTTPS",
  fix: "make the port 80 listener's default action a redirect to HTTPS",
  types: ["aws_lb_listener"],
  check: (r) => {
    if (r.config.protocol !== "HTTP") return notApplicable;
    const actions: { type: string; redirect?: { protocol?: string } }[] = r.config.default_action ?? [];
    return expect(actions.length > 0 && actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS"), "an HTTP listener does not redirect to HTTPS");
  },
};
