/**
 * The expert pool (专家库) and the seat catalogue (评标席位) as the contract carries them: the CSV an
 * administrator imports experts from, the pool entries as supervisors and administrators read them, and
 * the seats. Committees are drawn from the pool and sit at the seats (docs/evaluation.md).
 */
import { type Static, Type } from 'typebox';
import { expertStatuses } from './enums.ts';

/** The CSV's columns, in this order, with a header line naming them (UTF-8; `;` between list items). */
export const expertCsvColumns = [
  'code',
  'name',
  'identity',
  'specialties',
  'region',
  'employerName',
  'employerCreditCode',
  'relations',
  'status',
  'suspendedUntil',
] as const;
export type ExpertCsvColumn = (typeof expertCsvColumns)[number];

/** A unified social credit code (统一社会信用代码, GB 32100): 18 characters of digits and capitals. */
export const creditCodePattern = '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$';
/** A specialty code of the pool's classification (专业类别), e.g. A080101. */
export const specialtyPattern = '^[A-Z][0-9]{2,8}$';

export const ExpertEntry = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 60 }),
    /** The ID number the expert's certificate carries (serialNumber): binds the account. */
    identity: Type.String({ minLength: 6, maxLength: 40, pattern: '^[0-9A-Za-z-]+$' }),
    specialties: Type.Array(Type.String({ pattern: specialtyPattern }), { minItems: 1, maxItems: 20 }),
    region: Type.String({ minLength: 1, maxLength: 60 }),
    employerName: Type.String({ minLength: 1, maxLength: 200 }),
    employerCreditCode: Type.String({ pattern: creditCodePattern }),
    relations: Type.Array(Type.String({ pattern: creditCodePattern }), { maxItems: 50 }),
    status: Type.Enum(expertStatuses),
    suspendedUntil: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ExpertEntry = Static<typeof ExpertEntry>;

/** A pool entry as administrators and supervisors read it: with whether its expert has an account yet. */
export interface PoolExpert extends ExpertEntry {
  /** An `expert` actor is registered with a certificate carrying this entry's ID number. */
  readonly account: boolean;
}

/** What an import did: every line is in, or none is (the problems say which line and field). */
export interface ExpertImportResult {
  readonly added: number;
  readonly updated: number;
}

export const SeatRequest = Type.Object(
  {
    centre: Type.String({ minLength: 1, maxLength: 100 }),
    city: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    room: Type.String({ minLength: 1, maxLength: 60 }),
    seat: Type.String({ minLength: 1, maxLength: 20 }),
    /** The network the seat joins from (IPv4 or IPv6 CIDR). */
    cidr: Type.String({ minLength: 3, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type SeatRequest = Static<typeof SeatRequest>;

export interface SeatView extends SeatRequest {
  readonly id: string;
}
