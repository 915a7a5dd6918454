import { expect } from 'vitest';
import { OutboundError } from '../../src/outbound/outbound-error.ts';

/** The OutboundError `work` rejects with; fails the test if it resolves or rejects otherwise. */
export async function outboundFailure(work: Promise<unknown>): Promise<OutboundError> {
  const error = await work.then(
    () => expect.fail('expected an OutboundError'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}
