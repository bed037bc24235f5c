import { Tooltip } from 'antd';

/**
 * Who did something, as a person reads it: the name the server gave beside the actor field
 * (张丽（东华镇）, 命令行（root）; src/access/actor-names.ts), with the recorded actor itself
 * (user:zhang.li, cli:root) in a tooltip and in `data-actor`. Without a name, the actor as recorded;
 * without either, a dash.
 */
export function ActorName({ actor, name }: { actor: string | null | undefined; name?: string | null }) {
  if (!actor) return <span>—</span>;
  const shown = name || actor;
  if (shown === actor) return <span data-actor={actor}>{actor}</span>;
  return (
    <Tooltip title={actor}>
      <span data-actor={actor}>{shown}</span>
    </Tooltip>
  );
}
