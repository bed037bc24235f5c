import { Alert, App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { apiGet, apiPost } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { useAsync } from '../../components/use-async.ts';
import { periodFirstDay, periodLastDay } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { EntitlementListRow, ProgrammeVersion, Right, ScreenSummary } from '../../types.ts';
import { periodLabel } from '../DashboardPage.tsx';
import { paymentPeriods } from './payment-periods.ts';
import { programmeChoices } from './programme-versions.ts';

const STATUS: Record<string, [string, string, string]> = {
  applied: ['已申请', 'Applied', 'blue'],
  reviewed: ['已审核', 'Reviewed', 'cyan'],
  approved: ['已批准', 'Approved', 'green'],
  rejected: ['已驳回', 'Rejected', 'red'],
  stopped: ['已停发', 'Stopped', 'default'],
};

/**
 * Whether the person record an entitlement is about still stands for a person: a merged or voided
 * record's entitlement is never paid, and its application can only be rejected (the server
 * refuses review and approval: docs/benefits.md, "Records merged or voided").
 */
function recordClosed(e: EntitlementListRow): boolean {
  return e.person_status === 'merged' || e.person_status === 'voided';
}

/**
 * An application is reviewed (benefits.manage) before it can be approved (benefits.approve).
 * 家庭扶助: who in the unit qualifies for a programme in the period (screened from the registry),
 * applications and their review and approval, and the period's payment batch.
 */
export default function BenefitsPage() {
  const { tr, lang } = useI18n();
  const { auth } = useAuth();
  const { unit, period, nameOf } = useSelection();
  const { message } = App.useApp();
  const may = (right: Right) => auth.state !== 'signed-in' || auth.user.rights.includes(right);
  const [programme, setProgramme] = useState<string>();
  const versions = useAsync(
    () =>
      apiGet<{ items: ProgrammeVersion[] }>('/api/benefits/programmes').then((r) => {
        setProgramme((current) => current ?? r.items[0]?.programmeId);
        return r.items;
      }),
    [],
  );
  // Every version is listed: the menu offers each programme once, as the period is judged by it
  // (the version the screening, applications and payments below apply: versionForPeriod), and
  // says when a newer one starts later.
  const onDate = periodLastDay(period);
  const firstDay = periodFirstDay(period);
  const choices = useMemo(
    () => programmeChoices(versions.data ?? [], { start: firstDay, end: onDate }),
    [versions.data, firstDay, onDate],
  );
  const screen = useAsync(
    () =>
      programme
        ? apiGet<ScreenSummary>('/api/benefits/screen', {
            programme,
            period,
            unit,
          })
        : Promise.resolve(undefined),
    [programme, period, unit],
  );
  const entitlements = useAsync(
    () =>
      programme
        ? apiGet<{ items: EntitlementListRow[] }>('/api/benefits/entitlements', {
            programme,
            unit,
            limit: 200,
          }).then((r) => r.items)
        : Promise.resolve([]),
    [programme, unit],
  );
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      message.success(done);
      screen.reload();
      entitlements.reload();
    } catch (error) {
      message.error((error as Error).message);
    }
  };
  const choice = choices.find((c) => c.programmeId === programme);
  const chosen = choice?.version;
  const l = lang === 'en' ? 'en' : 'zh-CN';
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} className="page-title">
          {tr('家庭扶助', 'Family benefits')} · {nameOf(unit)} · {periodLabel(period, lang)}
        </Typography.Title>
        <Select
          style={{ width: 220 }}
          value={programme}
          onChange={setProgramme}
          aria-label={tr('项目', 'Programme')}
          options={choices.map((c) => ({
            value: c.programmeId,
            label: c.inForce
              ? c.version.definition.name[l]
              : tr(
                  `${c.version.definition.name[l]}（${c.version.effectiveFrom} 起）`,
                  `${c.version.definition.name[l]} (from ${c.version.effectiveFrom})`,
                ),
          }))}
        />
      </Space>
      {chosen?.definition.description && (
        <Typography.Text type="secondary">{chosen.definition.description[l]}</Typography.Text>
      )}
      {choice && !choice.inForce && (
        <Alert
          type="warning"
          showIcon
          data-testid="programme-not-in-force"
          message={tr(
            `本项目自 ${choice.version.effectiveFrom} 起施行，所选时期（截至 ${onDate}）尚未生效`,
            `This programme starts on ${choice.version.effectiveFrom}: it is not in force in the selected period (to ${onDate})`,
          )}
        />
      )}
      {choice?.next && (
        <Alert
          type="info"
          showIcon
          data-testid="programme-next-version"
          message={tr(
            `新版本自 ${choice.next.effectiveFrom} 起施行；所选时期按 ${choice.version.effectiveFrom} 起施行的版本。`,
            `A new version starts on ${choice.next.effectiveFrom}; the selected period follows the version in force since ${choice.version.effectiveFrom}.`,
          )}
        />
      )}
      <Card
        size="small"
        title={tr('符合条件的人员（按户籍登记筛查）', 'Who qualifies (screened from the registry)')}
        extra={
          may('benefits.approve') &&
          chosen && (
            // One batch per payment period of the programme's schedule: a whole year of a
            // half-yearly programme offers its two halves (asking for "2025" was refused).
            <Space size={4}>
              {tr('生成发放批次：', 'Make the payment batch for:')}
              {paymentPeriods(chosen.definition.schedule, period).map((payFor) => (
                <Button
                  key={payFor}
                  size="small"
                  onClick={() =>
                    act(
                      () =>
                        apiPost('/api/benefits/batches', {
                          county: unit?.slice(0, 6),
                          programmeId: programme,
                          period: payFor,
                        }),
                      tr(
                        `已生成 ${periodLabel(payFor, lang)} 的发放批次`,
                        `Payment batch for ${payFor} made`,
                      ),
                    )
                  }
                >
                  {periodLabel(payFor, lang)}
                </Button>
              ))}
            </Space>
          )
        }
      >
        {screen.error && <Alert type="warning" showIcon message={screen.error.message} />}
        <Table
          size="small"
          rowKey="personId"
          loading={screen.loading}
          dataSource={screen.data?.candidates ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            {
              title: tr('姓名', 'Name'),
              render: (_, c) => (
                <>
                  <Link to={`/persons/${c.personId}`}>{c.name}</Link>
                  {/* Why to look before applying (户籍性质缺失): the server refuses the application until then. */}
                  {c.needsReview.map((reason) => (
                    <Tag key={reason.code} color="orange" style={{ marginLeft: 8, whiteSpace: 'normal' }}>
                      {reason.message[l]}
                    </Tag>
                  ))}
                </>
              ),
            },
            { title: tr('出生日期', 'Born'), dataIndex: 'birthDate' },
            { title: tr('村（居）', 'Village'), render: (_, c) => nameOf(c.orgCode) },
            { title: tr('月数', 'Months'), dataIndex: 'months' },
            {
              title: tr('申请', 'Application'),
              render: (_, c) =>
                c.previousStatus ? (
                  <Tag color={STATUS[c.previousStatus]?.[2]}>
                    {tr(
                      ...((STATUS[c.previousStatus] ?? [c.previousStatus, c.previousStatus]).slice(0, 2) as [
                        string,
                        string,
                      ]),
                    )}
                  </Tag>
                ) : (
                  may('benefits.manage') && (
                    <Button
                      size="small"
                      onClick={() =>
                        act(
                          () =>
                            apiPost('/api/benefits/applications', {
                              programmeId: programme,
                              personId: c.personId,
                              period: screen.data?.period ?? period,
                            }),
                          tr('已登记申请', 'Application recorded'),
                        )
                      }
                    >
                      {tr('登记申请', 'Record an application')}
                    </Button>
                  )
                ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={tr('申请与享受资格', 'Applications and entitlements')}>
        {entitlements.error && <Alert type="error" showIcon message={entitlements.error.message} />}
        <Table
          size="small"
          rowKey="id"
          loading={entitlements.loading}
          dataSource={entitlements.data ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: '#', dataIndex: 'id', width: 50 },
            {
              title: tr('人员', 'Person'),
              render: (_, e) => <Link to={`/persons/${e.person_id}`}>{e.person_name}</Link>,
            },
            { title: tr('领取人', 'Payee'), dataIndex: 'payee_name' },
            { title: tr('村（居）', 'Village'), render: (_, e) => nameOf(e.org_code) },
            { title: tr('起始', 'From'), dataIndex: 'start_date' },
            {
              title: tr('状态', 'Status'),
              render: (_, e) => {
                const [zh, en, color] = STATUS[e.status] ?? [e.status, e.status, 'default'];
                return (
                  <Space size={4} wrap>
                    <Tag color={color}>{tr(zh, en)}</Tag>
                    {e.person_status === 'merged' && (
                      <Tag color="orange" data-testid="record-merged">
                        {tr(
                          `记录已合并到人员 ${e.person_merged_into_id}`,
                          `Record merged into person ${e.person_merged_into_id}`,
                        )}
                      </Tag>
                    )}
                    {e.person_status === 'voided' && (
                      <Tag color="orange" data-testid="record-voided">
                        {tr('记录已作废', 'Record voided')}
                      </Tag>
                    )}
                  </Space>
                );
              },
            },
            // The decision's note: the clerk's, or a merge's 记录已合并到人员 N / record merged into person N.
            { title: tr('意见', 'Note'), render: (_, e) => e.decision_note ?? '' },
            {
              title: '',
              render: (_, e) => (
                <Space size={4}>
                  {e.status === 'applied' && !recordClosed(e) && may('benefits.manage') && (
                    <Button
                      size="small"
                      onClick={() =>
                        act(
                          () => apiPost(`/api/benefits/entitlements/${e.id}/review`, {}),
                          tr('已审核', 'Reviewed'),
                        )
                      }
                    >
                      {tr('审核', 'Review')}
                    </Button>
                  )}
                  {e.status === 'reviewed' && !recordClosed(e) && may('benefits.approve') && (
                    <Button
                      size="small"
                      type="primary"
                      onClick={() =>
                        act(
                          () => apiPost(`/api/benefits/entitlements/${e.id}/approve`, {}),
                          tr('已批准', 'Approved'),
                        )
                      }
                    >
                      {tr('批准', 'Approve')}
                    </Button>
                  )}
                  {(e.status === 'applied' || e.status === 'reviewed') && may('benefits.approve') && (
                    <Button
                      size="small"
                      danger
                      onClick={() =>
                        act(
                          () => apiPost(`/api/benefits/entitlements/${e.id}/reject`, {}),
                          tr('已驳回', 'Rejected'),
                        )
                      }
                    >
                      {tr('驳回', 'Reject')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
