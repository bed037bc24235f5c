/** Voluntary family health services: records (with consent), import, and the person-level list for health-service roles. */
export {
  importServicesCsv,
  importServicesFile,
  SERVICE_COLUMNS,
  SERVICE_CSV_HEADER,
  type ServiceImportProgress,
  type ServiceImportReport,
  type ServiceImportRow,
} from './import-services.ts';
export { listServices, type ServiceRecordRow } from './list-services.ts';
export { checkService, recordService, type ServiceInput, voidService } from './record-service.ts';
export {
  findServiceKind,
  SERVICE_KINDS,
  type ServiceKindChoice,
  serviceKindChoices,
} from './service-kinds.ts';
