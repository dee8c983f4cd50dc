/** An error the sandbox answers with: HTTP status plus OTS error code and message. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const invalidParameter = (message: string): ServiceError => new ServiceError(400, 'OTSParameterInvalid', message);
export const objectNotExist = (message: string): ServiceError => new ServiceError(404, 'OTSObjectNotExist', message);
