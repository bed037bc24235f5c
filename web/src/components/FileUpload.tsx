import { InboxOutlined } from '@ant-design/icons';
import { App, Upload } from 'antd';
import { useState } from 'react';
import { ApiError, apiUpload, type Query } from '../api.ts';
import { useI18n } from '../i18n.tsx';

/**
 * A CSV / XLSX file dropped or chosen, sent as the raw request body of a POST (the server's
 * src/server/upload.ts takes it that way), its answer handed to `onDone`. A refused file (no
 * rows, a damaged XLSX, a header without the required columns) is said in a message, with the
 * server's field-level issues, in the UI's language.
 */
export function FileUpload<T>({
  path,
  query,
  onDone,
}: {
  path: string;
  /** The query string for a file (e.g. its name, the county). */
  query?: (file: File) => Query;
  onDone(result: T): void;
}) {
  const { tr } = useI18n();
  const { message } = App.useApp();
  const [uploading, setUploading] = useState(false);
  return (
    <Upload.Dragger
      accept=".csv,.xlsx,.tsv,.txt"
      showUploadList={false}
      disabled={uploading}
      customRequest={async ({ file }) => {
        setUploading(true);
        try {
          const f = file as File;
          onDone(await apiUpload<T>(path, f, query?.(f)));
        } catch (e) {
          message.error(
            e instanceof ApiError ? [e.message, ...e.issues.map((i) => i.message)].join('；') : String(e),
          );
        } finally {
          setUploading(false);
        }
      }}
    >
      <p className="ant-upload-drag-icon">
        <InboxOutlined />
      </p>
      <p>
        {uploading
          ? tr('正在导入…', 'Importing…')
          : tr('点击或拖入 CSV / XLSX 文件', 'Click or drop a CSV / XLSX file')}
      </p>
    </Upload.Dragger>
  );
}
