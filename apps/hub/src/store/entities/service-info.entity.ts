import { Entity } from 'typeorm';
import { BooleanColumn, IntegerColumn, VarcharColumn, VarcharPrimaryColumn } from './columns';

/**
 * Derived: one row per service (controls.md "service") — every `services` catalog entry and every
 * service seen on a deployment — with what controls need to know of it.
 */
@Entity({ name: 'service_info' })
export class ServiceInfoEntity {
  @VarcharPrimaryColumn('name', 255)
  name!: string;

  @VarcharColumn('team', 255, { nullable: true })
  team!: string | null;

  /** The catalog's `criticality`; null when the catalog does not list one. */
  @VarcharColumn('criticality', 10, { nullable: true })
  criticality!: 'high' | 'medium' | 'low' | null;

  /** The lowest (most critical) `business_criticality` of its CMDB items; null when none has one. */
  @IntegerColumn('cmdb_criticality', { nullable: true })
  cmdbCriticality!: number | null;

  /** controls.md "high-impact": catalog criticality `high`, or a CMDB item at criticality 1 or 2. */
  @BooleanColumn('high_impact')
  highImpact!: boolean;

  @BooleanColumn('personal_data')
  personalData!: boolean;

  /** The `sys_id` of its CMDB item (installed first, then a production one); null when none. */
  @VarcharColumn('cmdb_item', 64, { nullable: true })
  cmdbItem!: string | null;

  /** GitLab project path: the catalog's key, else the project its deployments or MRs come from. */
  @VarcharColumn('gitlab_key', 512, { nullable: true })
  gitlabKey!: string | null;

  /** Jenkins deploy job full name: the catalog's key, else the job its deployments come from. */
  @VarcharColumn('jenkins_key', 512, { nullable: true })
  jenkinsKey!: string | null;

  /** SonarQube project key: the catalog's key, else the project its quality gates come from. */
  @VarcharColumn('sonarqube_key', 400, { nullable: true })
  sonarqubeKey!: string | null;

  /** CMDB item name: the catalog's key, else the name of its CMDB item. */
  @VarcharColumn('cmdb_key', 255, { nullable: true })
  cmdbKey!: string | null;
}
