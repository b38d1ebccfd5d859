import { plugin } from './cmdb.plugin';

export { plugin };
export default plugin;
export {
  CmdbAuth,
  CmdbOptions,
  resolveOptions,
  DEFAULT_TABLE,
  DEFAULT_NAME_FIELD,
  CMDB_MAX_PAGE_SIZE,
  CMDB_DEFAULT_PAGE_SIZE,
  type ResolvedCmdbOptions,
} from './cmdb.config';
export { INVENTORY_KINDS, INVENTORY_STREAM } from './cmdb-inventory.stream';
export {
  CONFIG_ITEM_FIELDS,
  INSTALL_STATUS,
  configItemFields,
  mapConfigItem,
} from './cmdb-config-item.mapper';
export { ServiceNowTableClient, TABLE_API } from '@audit-hub/servicenow-table';
