/// <reference lib="dom" />
/**
 * A topic's Polis opinion groups in the topic panel: one agree / disagree / pass bar per group, then
 * the group-informed consensus and how far the groups' agree rates lie apart.
 */
import { groupLetter } from '../../algorithms/groupNames';
import type { ReportTopic } from '../data';

type MakeElement = <T extends HTMLElement>(tag: string, className?: string, text?: string) => T;


export function groupVotesBlock(groups: NonNullable<ReportTopic['groups']>, topics: number, element: MakeElement, percent: (share: number) => string): HTMLElement[] {
  const list = element('ul', 'group-votes');
  for (const group of groups.groups) {
    const row = element<HTMLLIElement>('li');
    row.dataset.group = String(group.group_id);
    const bar = element('div', 'vote-bar');
    bar.setAttribute('aria-hidden', 'true');
    for (const [kind, rate] of [['agree', group.agree_rate], ['disagree', group.disagree_rate], ['pass', group.pass_rate]] as const) {
      const part = element('span', kind);
      part.style.width = `${rate * 100}%`;
      bar.append(part);
    }
    const figures = group.total_votes > 0
      ? `${percent(group.agree_rate)} agree · ${percent(group.disagree_rate)} disagree · ${group.total_votes.toLocaleString('en')} votes`
      : 'no votes';
    row.append(element('span', 'group-name', `Group ${groupLetter(group.group_id)}`), bar, element('span', 'group-figures', figures));
    list.append(row);
  }
  const summary = element(
    'p',
    'vote-figures group-summary',
    `group-informed consensus ${groups.consensus.toFixed(2)} · agree rates ${groups.agree_spread.toFixed(2)} apart · ${groups.division_rank === 1 ? 'most dividing' : `dividing rank ${groups.division_rank}`} of ${topics}`,
  );
  return [element('h4', undefined, 'Opinion groups'), list, summary];
}
