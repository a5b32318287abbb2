/**
 * Roles and their grants: the single source of truth for "who may do what".
 *
 * Every entry point (HTTP route, socket event, SFU request) names the action it performs and asks
 * `can(role, action)`; nothing checks `role === ...` directly. Grants are data, so a reviewer can read the
 * whole permission model here and a test can try every role against every action.
 */

export const roles = ['bidder', 'host', 'supervisor', 'expert', 'custodian', 'tenderee', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Actions named `domain:verb`, as events are. */
export const actions = [
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
] as const;
export type Action = (typeof actions)[number];

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
  bidder: grant(['tender:read', 'tender:list', 'bid:submit', 'bid:withdraw', 'bid:read-own'], {
    canPublish: false,
    canSubscribe: true,
    hidden: false,
  }),
  host: grant(['tender:create', 'tender:read', 'tender:list', 'bid:list', 'audit:read'], {
    canPublish: true,
    canSubscribe: true,
    hidden: false,
  }),
  supervisor: grant(['tender:read', 'tender:list', 'bid:list', 'audit:read', 'audit:verify'], {
    canPublish: false,
    canSubscribe: true,
    hidden: true,
  }),
  expert: grant([], { canPublish: true, canSubscribe: true, hidden: false }),
  custodian: grant(['tender:read', 'tender:list'], { canPublish: false, canSubscribe: false, hidden: false }),
  tenderee: grant(['tender:read', 'tender:list'], { canPublish: false, canSubscribe: true, hidden: false }),
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
