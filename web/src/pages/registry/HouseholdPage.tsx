import { Alert, Card, Descriptions, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { apiGet } from '../../api.ts';
import type { PageProps } from '../../areas.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { HouseholdDetail } from '../../types.ts';

const HOUSEHOLD_STATUS: Record<string, [string, string]> = {
  active: ['在册', 'Active'],
  dissolved: ['已销户', 'Dissolved'],
  voided: ['已作废', 'Voided'],
};

/**
 * A household (/households/:id, from the person page): the record and its address, the members
 * with their relation to the head and their family ties to each other, and who lived in it when.
 */
export default function HouseholdPage({ params }: PageProps) {
  const { tr, t, label } = useI18n();
  const { nameOf } = useSelection();
  const detail = useAsync(() => apiGet<HouseholdDetail>(`/api/households/${params.id}`), [params.id]);
  if (detail.error) return <Alert type="error" message={detail.error.message} />;
  if (!detail.data) return <Skeleton active />;
  const { household, members, relations, residence } = detail.data;
  const names = new Map(members.map((m) => [m.id, m.name]));
  // Each member's ties within the household, both ways: "母亲 李秀英", "子女 王一", "配偶 王建国".
  const ties = new Map<number, { relation: string; id: number }[]>();
  const add = (id: number, relation: string, other: number) => {
    const list = ties.get(id) ?? [];
    if (!list.some((tie) => tie.id === other && tie.relation === relation))
      list.push({ relation, id: other });
    ties.set(id, list);
  };
  for (const r of relations) {
    if (r.relation === 'spouse') {
      add(r.personId, 'spouse', r.relativeId);
      add(r.relativeId, 'spouse', r.personId);
    } else {
      add(r.personId, r.relation, r.relativeId);
      add(r.relativeId, 'child', r.personId);
    }
  }
  const status = HOUSEHOLD_STATUS[household.status] ?? [household.status, household.status];
  const living = members.filter((m) => m.status === 'active').length;

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title" data-testid="household-title">
        {tr('户', 'Household')} {household.householdNo}{' '}
        <Tag color={household.status === 'active' ? 'green' : 'default'}>{tr(status[0], status[1])}</Tag>
      </Typography.Title>
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} className="field-grid">
          <Descriptions.Item label={tr('地址', 'Address')}>{household.address ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('place')}>{nameOf(household.orgCode)}</Descriptions.Item>
          <Descriptions.Item label={tr('户口性质', 'Hukou type')}>
            {label(household.hukouType)}
          </Descriptions.Item>
          <Descriptions.Item label={tr('户主', 'Head')}>
            {household.headPersonId ? (
              <Link to={`/persons/${household.headPersonId}`}>
                {names.get(household.headPersonId) ?? tr('查看户主', 'Open the head')}
              </Link>
            ) : (
              '—'
            )}
          </Descriptions.Item>
          <Descriptions.Item label={tr('在册成员', 'Active members')}>{living}</Descriptions.Item>
          <Descriptions.Item label={tr('记录版本', 'Version')}>{household.version}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title={tr('家庭成员', 'Members')}>
        <Table
          size="small"
          rowKey="id"
          dataSource={members}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="household-members"
          locale={{ emptyText: tr('没有成员', 'No members') }}
          columns={[
            {
              title: t('name'),
              dataIndex: 'name',
              render: (name: string, m) => <Link to={`/persons/${m.id}`}>{name}</Link>,
            },
            {
              title: tr('与户主关系', 'Relation to head'),
              dataIndex: 'relationToHead',
              render: (r: string | null) => label(r),
            },
            { title: t('sex'), dataIndex: 'sex', render: (s: string) => label(s) },
            { title: t('birthDate'), dataIndex: 'birthDate' },
            { title: t('idNumber'), dataIndex: 'idNumber', render: (v: string | null) => v ?? '—' },
            {
              title: tr('户内亲属', 'Family in the household'),
              key: 'ties',
              render: (_: unknown, m) =>
                (ties.get(m.id) ?? []).map((tie) => (
                  <span key={`${tie.relation}|${tie.id}`} style={{ marginRight: 8 }}>
                    {label(tie.relation)} {names.get(tie.id)}
                  </span>
                )),
            },
            { title: t('residenceType'), dataIndex: 'residenceType', render: (v: string | null) => label(v) },
            {
              title: t('status'),
              dataIndex: 'status',
              render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{label(s)}</Tag>,
            },
          ]}
        />
      </Card>
      <Card size="small" title={tr('居住历史（本户）', 'Residence history (this household)')}>
        <Table
          size="small"
          rowKey={(s) => `${s.personId}|${s.validFrom}|${s.orgCode}`}
          dataSource={residence}
          pagination={residence.length > 20 ? { pageSize: 20 } : false}
          data-testid="household-residence"
          columns={[
            {
              title: t('name'),
              dataIndex: 'name',
              render: (name: string, s) => <Link to={`/persons/${s.personId}`}>{name}</Link>,
            },
            { title: t('place'), dataIndex: 'orgCode', render: (code: string) => nameOf(code) },
            { title: t('residenceType'), dataIndex: 'residenceType', render: (v: string) => label(v) },
            { title: tr('起', 'From'), dataIndex: 'validFrom' },
            {
              title: tr('止', 'To'),
              dataIndex: 'validTo',
              render: (v: string | null) => v ?? tr('至今', 'now'),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
