import { Alert, App, Button, Card, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { apiGet, apiPost } from '../../api.ts';
import { ActorName } from '../../components/ActorName.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { WorkTask } from '../../types.ts';
import { describeTask, isPossibleDuplicate, taskReason } from './describe-task.ts';

export const TASK_KINDS: Record<string, [string, string]> = {
  unregistered_birth: ['未登记出生', 'Unregistered birth'],
  unregistered_death: ['未登记死亡', 'Unregistered death'],
  unregistered_event: ['未登记事件', 'Unregistered event'],
  correction: ['信息待核', 'Correction to check'],
  merge: ['疑似重复', 'Suspected duplicate'],
  audit_discrepancy: ['核查差异', 'Audit discrepancy'],
  data_check: ['数据校验', 'Data check'],
};

const STATUSES: [string, string, string, string][] = [
  ['open', '待办', 'Open', 'blue'],
  ['done', '已办', 'Done', 'green'],
  ['dismissed', '不予处理', 'Dismissed', 'default'],
  ['all', '全部', 'All', ''],
];

/** 待办: the unit's work list (found by linkage, dedupe, audits, validation), filtered, closed with a note. */
export default function TasksPage() {
  const { tr, lang } = useI18n();
  const { unit, nameOf } = useSelection();
  const { message } = App.useApp();
  const [kind, setKind] = useState<string>();
  const [status, setStatus] = useState('open');
  const [page, setPage] = useState(1);
  const [closing, setClosing] = useState<{ task: WorkTask; status: 'done' | 'dismissed' }>();
  const [note, setNote] = useState('');
  const size = 20;
  const tasks = useAsync(
    () =>
      apiGet<{ total: number; counts: Record<string, number>; items: WorkTask[] }>('/api/tasks', {
        unit,
        kind,
        status,
        limit: size,
        offset: (page - 1) * size,
      }),
    [unit, kind, status, page, lang],
  );
  const close = async () => {
    if (!closing) return;
    try {
      await apiPost(`/api/tasks/${closing.task.id}`, { status: closing.status, note: note || undefined });
      message.success(
        closing.status === 'done' ? tr('已标为已办', 'Marked done') : tr('已标为不予处理', 'Dismissed'),
      );
      setClosing(undefined);
      setNote('');
      tasks.reload();
    } catch (error) {
      message.error((error as Error).message);
    }
  };
  const counts = tasks.data?.counts ?? {};
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('待办', 'Work list')} · {nameOf(unit)}
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <Radio.Group
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setPage(1);
            }}
            optionType="button"
            options={STATUSES.map(([value, zh, en]) => ({ value, label: tr(zh, en) }))}
          />
          <Select
            allowClear
            style={{ width: 200 }}
            placeholder={tr('全部类别', 'All kinds')}
            value={kind}
            onChange={(value) => {
              setKind(value);
              setPage(1);
            }}
            options={Object.entries(TASK_KINDS).map(([value, [zh, en]]) => ({
              value,
              label: `${tr(zh, en)}${counts[value] ? ` (${counts[value]})` : ''}`,
            }))}
          />
        </Space>
      </Card>
      {tasks.error && <Alert type="error" showIcon message={tasks.error.message} />}
      <Table
        size="small"
        rowKey="id"
        loading={tasks.loading}
        dataSource={tasks.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: size,
          total: tasks.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
          showTotal: (total) => tr(`共 ${total} 条`, `${total} in all`),
        }}
        columns={[
          {
            title: tr('类别', 'Kind'),
            width: 110,
            render: (_, task) => {
              // A possible duplicate scored below the suggestion threshold: listed last, marked apart.
              if (isPossibleDuplicate(task))
                return <Tag color="gold">{tr('可能重复', 'Possible duplicate')}</Tag>;
              const [zh, en] = TASK_KINDS[task.kind] ?? [task.kind, task.kind];
              return <Tag>{tr(zh, en)}</Tag>;
            },
          },
          { title: tr('村（居）', 'Village'), width: 130, render: (_, task) => nameOf(task.orgCode) },
          {
            title: tr('内容', 'What'),
            render: (_, task) => {
              const reason = taskReason(task, lang);
              return (
                <>
                  {describeTask(task, tr, lang)}
                  {reason && (
                    <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
                      {reason}
                    </Typography.Paragraph>
                  )}
                </>
              );
            },
          },
          {
            title: tr('人员', 'Person'),
            width: 70,
            render: (_, task) =>
              task.personId ? <Link to={`/persons/${task.personId}`}>#{task.personId}</Link> : '',
          },
          { title: tr('发现于', 'Found'), width: 100, render: (_, task) => task.createdAt.slice(0, 10) },
          {
            title: tr('状态 / 处理', 'Status'),
            width: 170,
            render: (_, task) =>
              task.status === 'open' ? (
                <Space size={4}>
                  <Button size="small" type="primary" onClick={() => setClosing({ task, status: 'done' })}>
                    {tr('已办', 'Done')}
                  </Button>
                  <Button size="small" onClick={() => setClosing({ task, status: 'dismissed' })}>
                    {tr('不予处理', 'Dismiss')}
                  </Button>
                </Space>
              ) : (
                <span title={task.resolutionNote ?? ''}>
                  <Tag color={task.status === 'done' ? 'green' : 'default'}>
                    {task.status === 'done' ? tr('已办', 'Done') : tr('不予处理', 'Dismissed')}
                  </Tag>
                  <ActorName actor={task.resolvedBy} name={task.resolvedByName} />
                </span>
              ),
          },
        ]}
      />
      <Modal
        open={!!closing}
        title={closing?.status === 'done' ? tr('标为已办', 'Mark done') : tr('不予处理', 'Dismiss')}
        okText={tr('确定', 'OK')}
        cancelText={tr('取消', 'Cancel')}
        onOk={close}
        onCancel={() => setClosing(undefined)}
      >
        {closing && <Typography.Paragraph>{describeTask(closing.task, tr, lang)}</Typography.Paragraph>}
        {closing && taskReason(closing.task, lang) && (
          <Typography.Paragraph type="secondary">{taskReason(closing.task, lang)}</Typography.Paragraph>
        )}
        <Input.TextArea
          rows={3}
          maxLength={1000}
          placeholder={tr('处理说明（可选）', 'Note (optional)')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </Modal>
    </Space>
  );
}
