import { Entity } from 'typeorm';
import {
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  InstantColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Which commit range of its service's repository a deployment made outside that repository's own
 * system (a Jenkins deployment) was resolved for: the MRs and commits that shipped with it were
 * read from `repository_connector` for (`from_sha`, `to_sha`]. When the deployment's previous
 * deployment changes (an earlier one collected late), the range differs and is read again.
 */
@Entity({ name: 'shipped_range' })
export class ShippedRangeEntity {
  @VarcharPrimaryColumn('deployment_connector', CONNECTOR_LENGTH)
  deploymentConnector!: string;

  @VarcharPrimaryColumn('deployment_id', EXTERNAL_ID_LENGTH)
  deploymentId!: string;

  @VarcharColumn('repository_connector', CONNECTOR_LENGTH)
  repositoryConnector!: string;

  @VarcharColumn('repository', 512)
  repository!: string;

  /** The previous deployment's commit; null when there was none. */
  @VarcharColumn('from_sha', 64, { nullable: true })
  fromSha!: string | null;

  @VarcharColumn('to_sha', 64)
  toSha!: string;

  @InstantColumn('resolved_at')
  resolvedAt!: string;
}
