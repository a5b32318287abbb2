import { customType, timestamp } from 'drizzle-orm/pg-core';

/** bytea as Buffer (node-postgres returns Buffer, PGlite Uint8Array: both normalised). */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
});

/** Every instant is a timestamptz, read and written as a Date. */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
