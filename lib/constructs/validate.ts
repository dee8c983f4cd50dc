/**
 * Construction-time checks shared by the constructs: the rules of lib/config/rules.ts (the same ones the
 * configuration validator applies), skipped for unresolved tokens, since a name such as `instance.name` is only
 * known at apply time. Messages name the construct and the prop.
 */
import { Token } from 'cdktf/lib/tokens'; // see policy-document.ts
import { ConfigurationError } from '../config/validate';
import { namingProblem, NamingRule, regionProblem, streamRetentionProblem, timeToLiveProblem } from '../config/rules';

/**
 * A construct given props it cannot build. A ConfigurationError, so that one `instanceof` check catches every
 * validation failure, from the configuration or from a construct.
 */
export class ConstructPropsError extends ConfigurationError {
  constructor(where: string, prop: string, problem: string) {
    super([{ environment: where, field: prop, message: problem }]);
    this.message = `${where}: ${prop}: ${problem}`;
    this.name = 'ConstructPropsError';
  }
}

function check(where: string, prop: string, value: string | number, problem: () => string | undefined): void {
  if (Token.isUnresolved(value)) return;
  const message = problem();
  if (message !== undefined) throw new ConstructPropsError(where, prop, message);
}

export function checkRegion(where: string, region: string): void {
  check(where, 'region', region, () => regionProblem(region));
}

export function checkName(where: string, prop: string, rule: NamingRule, value: string): void {
  check(where, prop, value, () => namingProblem(rule, value));
}

export function checkInstanceName(where: string, name: string): void {
  checkName(where, 'instanceName', 'instanceName', name);
}

export function checkTableName(where: string, prop: string, name: string): void {
  checkName(where, prop, 'tableName', name);
}

export function checkTimeToLive(where: string, prop: string, seconds: number): void {
  check(where, prop, seconds, () => timeToLiveProblem(seconds));
}

export function checkStreamRetention(where: string, prop: string, hours: number): void {
  check(where, prop, hours, () => streamRetentionProblem(hours));
}
