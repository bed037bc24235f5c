import { Alert, Button, Card, Descriptions, Skeleton, Space, Table, Tabs, Tag, Typography } from 'antd';
import { apiGet } from '../../api.ts';
import type { PageProps } from '../../areas.tsx';
import { ActorName } from '../../components/ActorName.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { PersonDetail, PersonVersion } from '../../types.ts';

/** Completed years between two YYYY-MM-DD dates. */
function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** A person: details, household, relatives, residence history, events and every change. */
export default function PersonPage({ params }: PageProps) {
  const { tr, t, label, lang } = useI18n();
  const { nameOf } = useSelection();
  const detail = useAsync(() => apiGet<PersonDetail>(`/api/persons/${params.id}`), [params.id]);
  const history = useAsync(
    () => apiGet<{ items: PersonVersion[] }>(`/api/persons/${params.id}/history`),
    // The names of who changed it come in the asked language.
    [params.id, lang],
  );
  if (detail.error) return <Alert type="error" message={detail.error.message} />;
  if (!detail.data) return <Skeleton active />;
  const { person, household, relatives, residence, unions, events } = detail.data;
  const editable = person.status === 'active';
  // Offer only the events that can apply at this age (the server's rules decide in the end).
  const age = ageOn(person.birthDate, new Date().toISOString().slice(0, 10));
  const go = (action: string) => navigate(`/persons/${person.id}/${action}`);

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} className="page-title" data-testid="person-name">
          {person.name} <span className="muted">{person.namePinyin}</span>{' '}
          <Tag color={person.status === 'active' ? 'green' : 'default'}>{label(person.status)}</Tag>
        </Typography.Title>
        <Space wrap>
          {editable && person.sex === 'female' && age >= 14 && (
            <Button type="primary" onClick={() => navigate(`/registry/birth?mother=${person.id}`)}>
              {tr('登记子女出生', 'Register a child’s birth')}
            </Button>
          )}
          {editable && <Button onClick={() => go('correct')}>{t('correct')}</Button>}
          {editable && age >= 18 && <Button onClick={() => go('marriage')}>{t('marriage')}</Button>}
          {editable && person.maritalStatus === 'married' && (
            <Button onClick={() => go('divorce')}>{t('divorce')}</Button>
          )}
          {editable && <Button onClick={() => go('move-within')}>{t('move_within')}</Button>}
          {editable && <Button onClick={() => go('move-out')}>{t('move_out')}</Button>}
          {editable && (
            <Button danger onClick={() => go('death')}>
              {t('registerDeath')}
            </Button>
          )}
        </Space>
      </Space>
      {person.voidReason && <Alert type="warning" message={`${t('reason')}：${person.voidReason}`} />}
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} className="field-grid">
          <Descriptions.Item label={t('idNumber')}>{person.idNumber ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('sex')}>{label(person.sex)}</Descriptions.Item>
          <Descriptions.Item label={t('birthDate')}>{person.birthDate}</Descriptions.Item>
          <Descriptions.Item label={tr('民族', 'Ethnicity')}>{person.ethnicity ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={tr('户口性质', 'Hukou type')}>
            {label(person.hukouType)}
          </Descriptions.Item>
          <Descriptions.Item label={tr('婚姻状况', 'Marital status')}>
            {label(person.maritalStatus)}
          </Descriptions.Item>
          <Descriptions.Item label={t('place')}>{nameOf(person.orgCode)}</Descriptions.Item>
          <Descriptions.Item label={t('residenceType')}>{label(person.residenceType)}</Descriptions.Item>
          <Descriptions.Item label={tr('电话', 'Phone')}>{person.phone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={tr('孩次', 'Birth order')}>{person.birthOrder ?? '—'}</Descriptions.Item>
          {person.deathDate && (
            <Descriptions.Item label={tr('死亡日期', 'Date of death')}>{person.deathDate}</Descriptions.Item>
          )}
          <Descriptions.Item label={tr('记录版本', 'Version')}>{person.version}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small">
        <Tabs
          items={[
            {
              key: 'family',
              label: tr('户与亲属', 'Household and relatives'),
              children: (
                <Space direction="vertical" style={{ width: '100%' }}>
                  {household ? (
                    <Descriptions size="small" column={{ xs: 1, md: 3 }} title={tr('户', 'Household')}>
                      <Descriptions.Item label={tr('户号', 'Household no.')}>
                        <Link to={`/households/${household.id}`}>
                          <span data-testid="household-link">{household.householdNo}</span>
                        </Link>{' '}
                        <Link to={`/households/${household.id}`} className="muted">
                          {tr('（全户）', '(whole household)')}
                        </Link>
                      </Descriptions.Item>
                      <Descriptions.Item label={t('place')}>{nameOf(household.orgCode)}</Descriptions.Item>
                      <Descriptions.Item label={tr('地址', 'Address')}>
                        {household.address ?? '—'}
                      </Descriptions.Item>
                      <Descriptions.Item label={tr('与户主关系', 'Relation to head')}>
                        {label(person.relationToHead)}
                      </Descriptions.Item>
                      <Descriptions.Item label={tr('户主', 'Head')}>
                        {household.headPersonId ? (
                          household.headPersonId === person.id ? (
                            tr('本人', 'This person')
                          ) : (
                            <Link to={`/persons/${household.headPersonId}`}>
                              {tr('查看户主', 'Open the head')}
                            </Link>
                          )
                        ) : (
                          '—'
                        )}
                      </Descriptions.Item>
                    </Descriptions>
                  ) : (
                    <Typography.Text type="secondary">{tr('未落户', 'Not in a household')}</Typography.Text>
                  )}
                  <Table
                    size="small"
                    rowKey={(r) => `${r.relation}|${r.id}`}
                    dataSource={relatives}
                    pagination={false}
                    locale={{ emptyText: tr('无登记亲属', 'No relatives registered') }}
                    columns={[
                      {
                        title: tr('关系', 'Relation'),
                        dataIndex: 'relation',
                        render: (r: string) => label(r),
                      },
                      {
                        title: t('name'),
                        dataIndex: 'name',
                        render: (name: string, r) => <Link to={`/persons/${r.id}`}>{name}</Link>,
                      },
                      { title: t('sex'), dataIndex: 'sex', render: (s: string) => label(s) },
                      { title: t('birthDate'), dataIndex: 'birthDate' },
                      { title: t('status'), dataIndex: 'status', render: (s: string) => label(s) },
                    ]}
                  />
                  {unions.length > 0 && (
                    <Table
                      size="small"
                      rowKey={(u) => `${u.start_date}|${u.partner_id ?? u.partner_name}`}
                      dataSource={unions}
                      pagination={false}
                      columns={[
                        {
                          title: t('spouse'),
                          render: (_: unknown, u) =>
                            u.partner_id ? (
                              <Link to={`/persons/${u.partner_id}`}>{u.partner_name ?? u.partner_id}</Link>
                            ) : (
                              u.partner_name
                            ),
                        },
                        { title: tr('结婚日期', 'Married'), dataIndex: 'start_date' },
                        { title: tr('结束日期', 'Ended'), dataIndex: 'end_date' },
                        {
                          title: tr('结束原因', 'Why'),
                          dataIndex: 'end_reason',
                          render: (r: string) => label(r),
                        },
                      ]}
                    />
                  )}
                </Space>
              ),
            },
            {
              key: 'residence',
              label: tr('居住史', 'Residence history'),
              children: (
                <Table
                  size="small"
                  rowKey={(r) => `${r.valid_from}|${r.org_code}|${r.residence_type}`}
                  dataSource={residence}
                  pagination={false}
                  columns={[
                    { title: t('place'), dataIndex: 'org_code', render: (c: string) => nameOf(c) },
                    {
                      title: t('residenceType'),
                      dataIndex: 'residence_type',
                      render: (r: string) => label(r),
                    },
                    { title: tr('起', 'From'), dataIndex: 'valid_from' },
                    {
                      title: tr('止', 'Until'),
                      dataIndex: 'valid_to',
                      render: (d: string | null) => d ?? tr('至今', 'now'),
                    },
                    {
                      title: '',
                      dataIndex: 'voided',
                      render: (v: boolean) => (v ? <Tag>{label('voided')}</Tag> : null),
                    },
                  ]}
                />
              ),
            },
            {
              key: 'events',
              label: tr('事件', 'Events'),
              children: (
                <Table
                  size="small"
                  rowKey="id"
                  dataSource={events}
                  pagination={false}
                  columns={[
                    { title: tr('事件', 'Event'), dataIndex: 'kind', render: (k: string) => label(k) },
                    { title: tr('日期', 'Date'), dataIndex: 'event_date' },
                    { title: tr('报告日期', 'Reported'), dataIndex: 'report_date' },
                    { title: t('place'), dataIndex: 'org_code', render: (c: string) => nameOf(c) },
                    { title: tr('来源', 'Source'), dataIndex: 'source', render: (s: string) => label(s) },
                    {
                      title: '',
                      dataIndex: 'voided',
                      render: (v: boolean) => (v ? <Tag>{label('voided')}</Tag> : null),
                    },
                  ]}
                />
              ),
            },
            {
              key: 'history',
              label: tr('修改历史', 'Change history'),
              children: (
                <Table
                  size="small"
                  rowKey="version"
                  loading={history.loading}
                  dataSource={history.data?.items ?? []}
                  pagination={false}
                  columns={[
                    { title: tr('版本', 'Version'), dataIndex: 'version', width: 60 },
                    { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => label(k) },
                    {
                      title: tr('时间', 'When'),
                      dataIndex: 'changedAt',
                      render: (d: string) => new Date(d).toLocaleString(),
                    },
                    {
                      title: tr('操作人', 'By'),
                      dataIndex: 'changedBy',
                      render: (_: unknown, v: PersonVersion) => (
                        <ActorName actor={v.changedBy} name={v.changedByName} />
                      ),
                    },
                    { title: t('reason'), dataIndex: 'reason' },
                    {
                      title: tr('修改', 'Changes'),
                      dataIndex: 'changes',
                      render: (changes: PersonVersion['changes']) =>
                        Object.entries(changes ?? {}).map(([field, c]) => (
                          <div key={field}>
                            {field}: {String(c.old ?? '—')} → {String(c.new ?? '—')}
                          </div>
                        )),
                    },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
