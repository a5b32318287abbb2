/**
 * Roles and their grants: the single source of truth for "who may do what".
 *
 * Every entry point (HTTP route, socket event, SFU request) names the action it performs and asks
 * `can(role, action)`; nothing checks `role === ...` directly. Grants are data, so a reviewer can read the
 * whole permission model here and a test can try every role against every action.
 */
import { type Role, roles } from './enums.ts';
import { type HallGrant, hallRequests } from './hall.ts';
import { type MediaPermissions, parseVenue, type Venue, type VenueKind } from './media.ts';

export { type Role, roles } from './enums.ts';

/** Actions named `domain:verb`, as events are; the hall's come from its request table (hall.ts). */
const httpActions = [
  'tender:create',
  'tender:edit',
  'tender:read',
  'tender:list',
  'bid:submit',
  'bid:withdraw',
  'bid:read-own',
  'bid:list',
  'audit:read',
  'audit:verify',
  'actor:register',
  'record:export',
  'media:ticket',
  'evaluation:create',
  'evaluation:read',
  'recording:read',
  'pool:manage',
  'pool:read',
  'seat:read',
  'committee:create',
  'committee:read',
  'committee:draw',
  'committee:read-draw',
  'committee:name-representatives',
  'committee:name-leader',
  'committee:sign-in',
  'committee:declare',
  'committee:vote',
  'committee:read-documents',
  'committee:record-fault',
  'committee:plan',
  'committee:review',
  'committee:approve',
  'clarification:answer',
  'committee:export',
  'committee:publish',
  'candidate:object',
  'committee:assess',
  'committee:rate',
] as const;

export type Action = (typeof httpActions)[number] | HallGrant;

export const actions: readonly Action[] = [
  ...httpActions,
  ...new Set(Object.values(hallRequests).map((spec): HallGrant => spec.grant)),
];

/**
 * What a role may do with live audio/video in each kind of venue (LiveKit's VideoGrant): publish,
 * consume, and whether others see it there. A kind missing means no place in such a venue at all; the
 * server checks assignments (an expert's seat) before it issues a ticket with these permissions.
 */
export type MediaGrants = Readonly<Partial<Record<VenueKind, MediaPermissions>>>;

export interface RoleGrants {
  readonly actions: ReadonlySet<Action>;
  readonly media: MediaGrants;
}

const grant = (list: readonly Action[], media: MediaGrants = {}): RoleGrants => ({
  actions: new Set(list),
  media,
});

const presenting: MediaPermissions = { publish: true, consume: true, hidden: false };
const watching: MediaPermissions = { publish: false, consume: true, hidden: false };
/** Supervisors watch every venue unseen (they never appear in anybody's list of participants). */
const overseeing: MediaPermissions = { publish: false, consume: true, hidden: true };

export const roleGrants: Readonly<Record<Role, RoleGrants>> = {
  bidder: grant(
    [
      'tender:read',
      'tender:list',
      'bid:submit',
      'bid:withdraw',
      'bid:read-own',
      'hall:join',
      'hall:check-in',
      'hall:recipient',
      'hall:self-test-challenge',
      'hall:self-test',
      'hall:decrypt',
      'hall:reveal-seed',
      'hall:sign-record',
      'hall:object',
      'record:export',
      'media:ticket',
      'clarification:answer',
      'candidate:object',
      'committee:rate',
    ],
    { hall: watching },
  ),
  host: grant(
    [
      'tender:create',
      'tender:edit',
      'tender:read',
      'tender:list',
      'bid:list',
      'audit:read',
      'hall:join',
      'hall:start-decryption',
      'hall:pause',
      'hall:resume',
      'hall:extend',
      'hall:confirm-failure',
      'hall:cancel',
      'hall:record-outage',
      'hall:settle',
      'hall:confirm',
      'hall:reject',
      'hall:announce',
      'hall:open-record',
      'hall:sign-record',
      'hall:answer',
      'hall:close',
      'record:export',
      'media:ticket',
      'evaluation:create',
      'evaluation:read',
      'seat:read',
      'committee:create',
      'committee:read',
      'committee:record-fault',
      'committee:plan',
      'committee:publish',
      'committee:assess',
      'committee:rate',
    ],
    { hall: presenting },
  ),
  supervisor: grant(
    [
      'tender:read',
      'tender:list',
      'bid:list',
      'audit:read',
      'audit:verify',
      'hall:join',
      'hall:sign-record',
      'hall:record-outage',
      'hall:settle',
      'hall:confirm',
      'hall:reject',
      'hall:approve-remedy',
      'record:export',
      'media:ticket',
      'evaluation:read',
      'recording:read',
      'pool:read',
      'seat:read',
      'committee:read',
      'committee:draw',
      'committee:read-draw',
      'committee:record-fault',
      'committee:approve',
      'committee:export',
      'committee:assess',
      'committee:rate',
    ],
    { hall: overseeing, main: overseeing, sub: overseeing },
  ),
  // Committee members may not attend the opening (财政部87号令 Art 40): experts have no hall grant.
  expert: grant(
    [
      'media:ticket',
      'evaluation:read',
      'committee:read',
      'committee:sign-in',
      'committee:declare',
      'committee:vote',
      'committee:read-documents',
      'committee:review',
      'committee:rate',
    ],
    { main: presenting, sub: presenting },
  ),
  custodian: grant(['tender:read', 'tender:list', 'hall:join', 'hall:share-fetch', 'hall:share-submit']),
  // The tenderee names its representatives (业主评委) and, where the tender says so, the leader.
  tenderee: grant(
    [
      'tender:read',
      'tender:list',
      'hall:join',
      'media:ticket',
      'committee:read',
      'committee:name-representatives',
      'committee:name-leader',
      'committee:assess',
      'committee:rate',
    ],
    { hall: watching },
  ),
  // The pool and the seat catalogue are the platform administrator's; supervisors read them.
  admin: grant([
    'actor:register',
    'audit:read',
    'audit:verify',
    'tender:list',
    'tender:read',
    'pool:manage',
    'pool:read',
    'seat:read',
  ]),
};

/** Who may do what where, from the role (assignments are checked by the server before it issues). */
export function mediaPermissions(role: Role, venue: Venue): MediaPermissions | null {
  const place = parseVenue(venue);
  return (place && roleGrants[role].media[place.kind]) ?? null;
}

export function can(role: Role, action: Action): boolean {
  return roleGrants[role].actions.has(action);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** Roles a certificate holder may take without being registered first: any trusted company may bid. */
export const selfRegisteringRoles: readonly Role[] = ['bidder'];

/** Roles an administrator appoints by certificate (everyone but bidders). */
export const appointedRoles = roles.filter((role) => !selfRegisteringRoles.includes(role));
