/** A sync job or node definition that DataWorks would reject or that would not do what the configuration says. */
export class SyncDefinitionError extends Error {
  constructor(
    /** Which definition: the node name, or the table name before the node has a name. */
    readonly subject: string,
    /** Dotted path of the offending field, e.g. `reader.column[2].name`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${subject}: ${field}: ${problem}`);
    this.name = 'SyncDefinitionError';
  }
}
