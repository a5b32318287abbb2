import type { Role } from '@bidhall/shared';
import fp from 'fastify-plugin';
import { AuditLog } from '../../audit/audit-log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog;
  }
  interface FastifyRequest {
    /** Who is acting, for audit entries: the logged-in actor (if any) and the network address. */
    auditActor(): { actorId: string | null; role: Role | null; ip: string | null };
  }
}

export default fp(
  async (app) => {
    const audit = new AuditLog(app.db);
    app.decorate('audit', audit);
    app.decorateRequest('auditActor', function auditActor() {
      const actor = this.actor;
      return { actorId: actor?.sub ?? null, role: actor?.role ?? null, ip: this.ip };
    });
    app.addHook('onClose', () => audit.close());
  },
  { name: 'audit', dependencies: ['database'] },
);
