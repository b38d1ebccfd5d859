/**
 * Rebuilds the derived model at the start of each evaluation, in one transaction, from the
 * projections and the config: `person` and `person_name` (every user name in the store resolved to
 * a person), `role_member` (config `roles`) and `service_info` (the `services` catalog and every
 * deployed service). A full rebuild: identities, roles and services are thousands, not millions,
 * and the config they depend on may have changed since the records were stored.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { isSharedAccountName } from '@audit-hub/domain';
import { chunk, sqlQuery } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import {
  buildServiceInfo,
  type ServiceConfigItem,
  type ServiceProjectCount,
} from '../services-catalog/service-info.builder';
import { PersonNameEntity } from '../store/entities/person-name.entity';
import { PERSON_KEY_LENGTH, PersonEntity } from '../store/entities/person.entity';
import { RoleMemberEntity } from '../store/entities/role-member.entity';
import { ServiceInfoEntity } from '../store/entities/service-info.entity';
import { isSqlite, withTransaction } from '../store/transaction';
import { IdentityResolver, nameKey, type HolderNames, type SourceIdentity } from './identity.resolver';
import { roleMembers, type MembershipRow } from './role-member.builder';

export interface DerivedModelCounts {
  /** Rows of `person`. */
  persons: number;
  /** Rows of `role_member`. */
  roles: number;
  /** Rows of `service_info`. */
  services: number;
}

/**
 * Every plain column that holds a user name or an e-mail someone acts under. Each branch is made
 * distinct on its own (a few thousand names out of millions of rows) before the UNION: one
 * de-duplication over every row at once sorts millions of rows on disk (8.6 s against 2.3 s at a
 * million deployments).
 */
const NAMES_SQL = `
SELECT DISTINCT user_name AS name FROM identity
UNION SELECT DISTINCT email FROM identity WHERE email IS NOT NULL
UNION SELECT DISTINCT member FROM group_membership
UNION SELECT DISTINCT holder FROM entitlement
UNION SELECT DISTINCT approver FROM change_approval
UNION SELECT DISTINCT requested_by FROM change_request WHERE requested_by IS NOT NULL
UNION SELECT DISTINCT assigned_to FROM change_request WHERE assigned_to IS NOT NULL
UNION SELECT DISTINCT author FROM merge_request
UNION SELECT DISTINCT merged_by FROM merge_request WHERE merged_by IS NOT NULL
UNION SELECT DISTINCT triggered_by FROM deployment WHERE triggered_by IS NOT NULL
UNION SELECT DISTINCT author_email FROM git_commit`;

/** Derived tables, in the order they are cleared. */
const TABLES = ['person_name', 'person', 'role_member', 'service_info'] as const;

/** Rows per INSERT: at most 7 columns, well under both databases' bind-parameter limits. */
const ROWS_PER_INSERT = 500;

@Injectable()
export class DerivedModelService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Replaces the derived tables, in the caller's transaction when `manager` is in one, else in a
   * transaction of its own; readers see the old model or the new one, never a mix.
   */
  async rebuild(manager?: EntityManager): Promise<DerivedModelCounts> {
    return withTransaction(this.dataSource, manager, async (m) => {
      await lockDerivedTables(m);
      const resolver = new IdentityResolver({
        identities: await this.sourceIdentities(m),
        aliases: this.config.identities.aliases,
        serviceAccountPattern: this.config.identities.serviceAccountPattern,
        holders: await holders(m),
      });
      const directory = resolver.directory(await this.seenNames(m));
      const members = roleMembers(this.config.roles, await memberships(m, this.config), resolver);
      const services = buildServiceInfo(this.config, await serviceFacts(m));

      for (const table of TABLES) await m.query(`DELETE FROM ${table}`);
      await insertAll(
        m,
        PersonEntity,
        directory.persons.map((p) => ({
          personKey: p.personKey,
          displayName: truncate(p.displayName, 255),
          email: p.email,
          active: p.active,
          known: p.known,
          serviceAccount: p.serviceAccount,
          sourceConnector: p.sourceConnector,
        })),
      );
      await insertAll(
        m,
        PersonNameEntity,
        [...directory.names]
          .filter(([nameLower]) => nameLower.length <= PERSON_KEY_LENGTH)
          .map(([nameLower, personKey]) => ({ nameLower, personKey })),
      );
      await insertAll(m, RoleMemberEntity, members);
      await insertAll(m, ServiceInfoEntity, services);
      return { persons: directory.persons.length, roles: members.length, services: services.length };
    });
  }

  /** The current users of the identity sources, in `identities.sources` order. */
  private async sourceIdentities(m: EntityManager): Promise<SourceIdentity[]> {
    const sources = this.config.identities.sources;
    if (sources.length === 0) return [];
    const rows = await sqlQuery<{
      connector: string;
      user_name: string;
      email: string | null;
      name: string | null;
      active: boolean | number;
    }>(
      m,
      `SELECT connector, user_name, email, name, active FROM identity
       WHERE deleted = FALSE AND connector IN (:...sources)`,
      { sources },
    );
    const order = new Map(sources.map((id, i) => [id, i]));
    return rows
      .map((r) => ({
        connector: r.connector,
        userName: r.user_name,
        email: r.email,
        name: r.name,
        active: Boolean(r.active),
      }))
      .sort(
        (a, b) =>
          (order.get(a.connector) ?? 0) - (order.get(b.connector) ?? 0) ||
          compare(a.userName, b.userName) ||
          compare(a.connector, b.connector),
      );
  }

  /** Every name in the store and in `roles.*.users`, including those inside JSON lists. */
  private async seenNames(m: EntityManager): Promise<string[]> {
    const names = new Set<string>();
    const add = (name: unknown) => {
      // A shared placeholder account (`~ghost`) is no identity: it resolves to no person.
      if (
        typeof name === 'string' &&
        nameKey(name) &&
        name.length <= PERSON_KEY_LENGTH &&
        !isSharedAccountName(name)
      )
        names.add(name);
    };
    for (const row of await sqlQuery<{ name: string | null }>(m, NAMES_SQL)) add(row.name);
    for (const row of await sqlQuery<{ holder_aliases: string }>(
      m,
      'SELECT DISTINCT holder_aliases FROM entitlement',
    )) {
      for (const alias of parseList(row.holder_aliases)) add(alias);
    }
    for (const row of await sqlQuery<{ approved_by: string }>(
      m,
      'SELECT DISTINCT approved_by FROM merge_request WHERE approved_by IS NOT NULL',
    )) {
      for (const approver of parseList(row.approved_by)) add(approver);
    }
    for (const row of await sqlQuery<{ approvals: string }>(
      m,
      'SELECT DISTINCT approvals FROM deployment WHERE approvals IS NOT NULL',
    )) {
      for (const approval of parseList(row.approvals)) add((approval as { user?: unknown } | null)?.user);
    }
    for (const role of Object.values(this.config.roles)) role.users.forEach(add);
    return [...names].sort(compare);
  }
}

/**
 * PostgreSQL: a second rebuild waits for the first to commit instead of inserting keys it also
 * inserts; plain reads go on. SQLite: transactions are already serialized (store/transaction.ts).
 */
async function lockDerivedTables(m: EntityManager): Promise<void> {
  if (isSqlite(m.dataSource)) return;
  await m.query(`LOCK TABLE ${TABLES.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
}

/** Entitlement holders with every alias any of their entitlements lists, by connector and name. */
async function holders(m: EntityManager): Promise<HolderNames[]> {
  const rows = await sqlQuery<{
    connector: string;
    holder: string;
    holder_aliases: string;
    holder_type: string;
  }>(
    m,
    `SELECT DISTINCT connector, holder, holder_aliases, holder_type FROM entitlement WHERE deleted = FALSE`,
  );
  const byHolder = new Map<string, HolderNames & { connector: string; aliases: string[] }>();
  for (const row of rows) {
    const key = `${row.connector}\u0000${row.holder}`;
    const holder = byHolder.get(key) ?? {
      connector: row.connector,
      name: row.holder,
      aliases: [],
      predefined: false,
    };
    byHolder.set(key, holder);
    for (const alias of parseList(row.holder_aliases)) {
      if (typeof alias === 'string' && !holder.aliases.includes(alias)) holder.aliases.push(alias);
    }
    holder.predefined ||= row.holder_type === 'predefined';
  }
  return [...byHolder.values()]
    .sort((a, b) => compare(a.connector, b.connector) || compare(a.name, b.name))
    .map(({ name, aliases, predefined }) => ({ name, aliases: aliases.sort(compare), predefined }));
}

/** The current memberships of the groups `roles` name, of the connectors they name. */
async function memberships(m: EntityManager, config: AppConfig): Promise<MembershipRow[]> {
  const connectors = [
    ...new Set(
      Object.values(config.roles).flatMap((role) =>
        role.groups.map((ref) => ref.slice(0, Math.max(0, ref.indexOf(':')))),
      ),
    ),
  ].filter(Boolean);
  const rows: MembershipRow[] = [];
  for (const part of chunk(connectors)) {
    rows.push(
      ...(await sqlQuery<MembershipRow>(
        m,
        `SELECT connector, grp, member FROM group_membership
         WHERE deleted = FALSE AND connector IN (:...part)`,
        { part },
      )),
    );
  }
  return rows;
}

async function serviceFacts(m: EntityManager) {
  const deployed = await sqlQuery<{ service: string }>(
    m,
    `SELECT DISTINCT service FROM deployment WHERE service IS NOT NULL AND deleted = FALSE`,
  );
  const projects = await sqlQuery<{
    service: string;
    connector: string;
    project: string;
    n: number | string;
  }>(
    m,
    `SELECT service, connector, project, COUNT(*) AS n FROM deployment
       WHERE service IS NOT NULL AND deleted = FALSE GROUP BY service, connector, project
     UNION ALL
     SELECT service, connector, project, COUNT(*) AS n FROM merge_request
       WHERE service IS NOT NULL AND deleted = FALSE GROUP BY service, connector, project
     UNION ALL
     SELECT service, connector, project_key AS project, COUNT(*) AS n FROM quality_gate
       WHERE service IS NOT NULL AND deleted = FALSE GROUP BY service, connector, project_key`,
  );
  const items = await sqlQuery<{
    external_id: string;
    name: string;
    environment: string | null;
    install_status: string;
    criticality: number | null;
    service: string;
  }>(
    m,
    `SELECT external_id, name, environment, install_status, criticality, service FROM config_item
     WHERE service IS NOT NULL AND deleted = FALSE`,
  );
  return {
    deployed: deployed.map((r) => r.service),
    projects: projects.map((r): ServiceProjectCount => ({
      service: r.service,
      connector: r.connector,
      project: r.project,
      count: Number(r.n),
    })),
    configItems: items.map((r): ServiceConfigItem => ({
      sysId: r.external_id,
      name: r.name,
      environment: r.environment,
      installStatus: r.install_status,
      criticality: r.criticality === null ? null : Number(r.criticality),
      service: r.service,
    })),
  };
}

async function insertAll(m: EntityManager, entity: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]) {
  for (const part of chunk(rows, ROWS_PER_INSERT)) {
    await m.createQueryBuilder().insert().into(entity).values(part).updateEntity(false).execute();
  }
}

/** A JSON list column as stored (text; PostgreSQL drivers may hand back parsed values). */
function parseList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function truncate(value: string | null, length: number): string | null {
  return value === null || value.length <= length ? value : value.slice(0, length);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
