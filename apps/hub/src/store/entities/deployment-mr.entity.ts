import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Projection: which merge requests shipped with a deployment (`deployment-mr` records, kept by the
 * connector that collected the MR): `merge_request.external_id` of this connector, and
 * `deployment.external_id` of `deployment_connector` — the same connector for GitLab deployments,
 * the Jenkins connector for Jenkins deployments whose MRs GitLab read from the service repository.
 */
@Entity({ name: 'deployment_mr' })
@Index('IDX_deployment_mr_deployment', ['deploymentConnector', 'deploymentId'])
@Index('IDX_deployment_mr_merge_request', ['connector', 'mergeRequestId'])
export class DeploymentMrEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** `<deployment externalId>→<mr externalId>`. */
  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('deployment_id', EXTERNAL_ID_LENGTH)
  deploymentId!: string;

  @VarcharColumn('merge_request_id', EXTERNAL_ID_LENGTH)
  mergeRequestId!: string;

  @VarcharColumn('deployment_connector', CONNECTOR_LENGTH)
  deploymentConnector!: string;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
