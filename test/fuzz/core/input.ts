/** One fuzz input: the bytes, the offsets where they are cut into separate reads, and what made it. */
export interface FuzzInput {
  bytes: Buffer;
  splits: number[];
  /** What a subject must know besides the bytes (the request method a response answers), if anything. */
  context?: string;
  /** The mutators that made it (for the report). */
  applied: string[];
}
