/// <reference lib="dom" />
/**
 * One topic of the report's panel: its head (rank, swatch, name, size), share bar and keywords, and
 * the details a click opens (who named it, representative comments, votes, opinion groups, parent
 * and subtopics). Text goes in through textContent only.
 */
import type { ReportTopic } from '../data';
import { element, numberFormat, percent } from './dom';
import { groupVotesBlock } from './groups';

/** What a topic item needs from the page around it. */
export interface TopicPanel {
  colors: Map<string, string>;
  /** The layer's topics (the share bar is relative to the largest). */
  topics: ReportTopic[];
  /** Opens the topic, or closes it when it is open. */
  toggle(key: string): void;
  /** A button that goes to a topic of another layer. */
  relation(key: string): HTMLElement;
}

export function topicItem(topic: ReportTopic, rank: number, panel: TopicPanel): HTMLLIElement {
  const { colors } = panel;
  const item = element<HTMLLIElement>('li', 'topic');
  item.dataset.key = topic.key;
  item.style.setProperty('--topic-color', colors.get(topic.key)!);

  const head = element<HTMLButtonElement>('button', 'topic-head');
  head.type = 'button';
  head.setAttribute('aria-expanded', 'false');
  const name = element('span', 'topic-name', topic.name);
  const size = element('span', 'topic-size', `${numberFormat.format(topic.size)} · ${percent(topic.share)}`);
  head.append(element('span', 'topic-rank', String(rank + 1)), element('span', 'swatch'), name, size);
  head.addEventListener('click', () => panel.toggle(topic.key));

  const bar = element('div', 'share-bar');
  const fill = element('span');
  fill.style.width = `${Math.max(1, Math.min(100, topic.share * 100 / Math.max(...panel.topics.map((t) => t.share), 1e-9)))}%`;
  bar.append(fill);

  const keywords = element('ul', 'keywords');
  keywords.setAttribute('aria-label', 'Keywords');
  for (const keyword of topic.keywords) keywords.append(element('li', undefined, keyword));

  const details = element('div', 'topic-details');
  details.hidden = true;
  if (topic.provider || topic.model) {
    details.append(element('p', 'named-by', `Named by ${[topic.provider, topic.model].filter(Boolean).join(' · ')}`));
  }
  if (topic.representatives.length) {
    details.append(element('h4', undefined, 'Representative comments'));
    const quotes = element('ul', 'representatives');
    for (const text of topic.representatives) quotes.append(element('li', undefined, text));
    details.append(quotes);
  }
  if (topic.votes && topic.votes.total_votes > 0) {
    const votes = topic.votes;
    details.append(element('h4', undefined, 'Votes on these comments'));
    const voteBar = element('div', 'vote-bar');
    voteBar.setAttribute('aria-hidden', 'true');
    for (const [kind, rate] of [['agree', votes.agree_rate], ['disagree', votes.disagree_rate], ['pass', votes.pass_rate]] as const) {
      const part = element('span', kind);
      part.style.width = `${rate * 100}%`;
      voteBar.append(part);
    }
    details.append(
      voteBar,
      element('p', 'vote-figures', `${percent(votes.agree_rate)} agree · ${percent(votes.disagree_rate)} disagree · ${percent(votes.pass_rate)} pass · ${numberFormat.format(votes.total_votes)} votes`),
      element('p', 'vote-figures', `consensus ${votes.consensus.toFixed(2)} · divisiveness ${votes.divisiveness.toFixed(2)}`),
    );
  }
  if (topic.groups) details.append(...groupVotesBlock(topic.groups, panel.topics.length, element, percent));
  if (topic.parent || topic.children.length) {
    const relations = element('p', 'relations');
    if (topic.parent) relations.append(element('span', 'relation-label', 'Part of '), panel.relation(topic.parent));
    if (topic.children.length) {
      relations.append(element('span', 'relation-label', topic.parent ? ' · Subtopics ' : 'Subtopics '));
      topic.children.forEach((child) => relations.append(panel.relation(child)));
    }
    details.append(relations);
  }
  item.append(head, bar, keywords, details);
  return item;
}
