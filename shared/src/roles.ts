/**
 * Roles and their grants: the single source of truth for "who may do what".
 *
 * Every entry point (HTTP route, socket event, SFU request) names the action it performs and asks
 * `can(role, action)`; nothing checks `role === ...` directly. Grants are data, so a reviewer can read the
 * whole permission model here and a test can try every role against every action.
 */
import { type HallGrant, hallRequests } from './hall.ts';

export const roles = ['bidder', 'host', 'supervisor', 'expert', 'custodian', 'tenderee', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Actions named `domain:verb`, as events are; the hall's come from its request table (hall.ts). */
const httpActions = [
  'tender:create',
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
] as const;

export type Action = (typeof httpActions)[number] | HallGrant;

export const actions: readonly Action[] = [
  ...httpActions,
  ...new Set(Object.values(hallRequests).map((spec): HallGrant => spec.grant)),
];

/** Media grants in the style of LiveKit's VideoGrant; used by the SFU (issue 5). */
export interface MediaGrant {
  readonly canPublish: boolean;
  readonly canSubscribe: boolean;
  /** Others do not see this participant (supervisors). */
  readonly hidden: boolean;
}

export interface RoleGrants {
  readonly actions: ReadonlySet<Action>;
  readonly media: MediaGrant;
}

const grant = (list: readonly Action[], media: MediaGrant): RoleGrants => ({
  actions: new Set(list),
  media,
});

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
    ],
    {
      canPublish: false,
      canSubscribe: true,
      hidden: false,
    },
  ),
  host: grant(
    [
      'tender:create',
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
      'hall:record-outage',
      'hall:settle',
      'hall:confirm',
      'hall:reject',
      'hall:announce',
      'hall:open-record',
      'hall:answer',
      'hall:close',
      'record:export',
      'media:ticket',
      'evaluation:create',
      'evaluation:read',
    ],
    {
      canPublish: true,
      canSubscribe: true,
      hidden: false,
    },
  ),
  supervisor: grant(
    [
      'tender:read',
      'tender:list',
      'bid:list',
      'audit:read',
      'audit:verify',
      'hall:join',
      'hall:record-outage',
      'hall:settle',
      'hall:confirm',
      'hall:reject',
      'hall:approve-remedy',
      'record:export',
      'media:ticket',
      'evaluation:read',
      'recording:read',
    ],
    {
      canPublish: false,
      canSubscribe: true,
      hidden: true,
    },
  ),
  // Committee members may not attend the opening (财政部87号令 Art 40): experts have no hall grant.
  expert: grant(['media:ticket', 'evaluation:read'], { canPublish: true, canSubscribe: true, hidden: false }),
  custodian: grant(['tender:read', 'tender:list', 'hall:join', 'hall:share-fetch', 'hall:share-submit'], {
    canPublish: false,
    canSubscribe: false,
    hidden: false,
  }),
  tenderee: grant(['tender:read', 'tender:list', 'hall:join', 'media:ticket'], {
    canPublish: false,
    canSubscribe: true,
    hidden: false,
  }),
  admin: grant(['actor:register', 'audit:read', 'audit:verify', 'tender:list', 'tender:read'], {
    canPublish: false,
    canSubscribe: false,
    hidden: false,
  }),
};

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
