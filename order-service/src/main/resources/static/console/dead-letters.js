// fleet-saga ops console: the dead-letters view (docs/console.md). Its own module so that it stays apart from the
// other views; console.js hands it the shared helpers (HTTP with the session's credentials, DOM builders) and routes
// #dead-letters to it. Data is put on the page with textContent only: keys, errors and record bytes come from outside.
//
// Per service: each dead-letter topic with its kept and pending records; per partition the dead letters (newest
// page last), each with its original topic/partition/offset, the error, the first bytes of its value and what was
// done with it; Replay / Discard per record, "Replay all pending" per topic. assignment-service's are reached
// through order-service's pass-through, like everything else of it.

const PAGE = 50;

export function deadLettersView(kit) {
  const { $, h, fill, table, mono, time, dash, errorBox, notice, problem, stat, failed, SERVICES } = kit;
  const base = '/api/ops/dead-letters';

  async function show() {
    await Promise.all(SERVICES.map(load));
  }

  async function load(service) {
    const panel = $(`.dead-letters[data-service="${service}"]`);
    const answer = await kit.call(service, base);
    if (!answer.ok) {
      fill(panel, h('h2', {}, service), errorBox(problem(answer)));
      return;
    }
    const topics = answer.data.topics ?? [];
    const content = [h('h2', {}, service)];
    if (topics.length === 0) content.push(h('p', { class: 'muted' }, 'This service consumes no topic.'));
    for (const topic of topics) {
      content.push(
        h('h3', {}, mono(topic.topic), h('span', { class: 'muted' }, ` ← ${topic.originalTopic}`)),
        h(
          'div',
          { class: 'stats', 'data-topic': topic.topic },
          stat('pending', topic.pending, 'pending', topic.pending > 0),
          stat('kept', topic.records, 'kept'),
        ),
        topic.pending > 0
          ? h(
              'p',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary replay-all',
                  onclick: (e) => replayAll(service, topic.topic, e.currentTarget).catch(failed),
                },
                `Replay all ${topic.pending} pending`,
              ),
              h('span', { class: 'muted' }, ' to ', topic.originalTopic, ' (the consumers skip what they already applied)'),
            )
          : null,
      );
      for (const partition of topic.partitions) {
        if (partition.endOffset === partition.startOffset) continue;
        content.push(await records(service, topic.topic, partition));
      }
      if (topic.records === 0) content.push(h('p', { class: 'muted dead-letters-empty' }, 'No dead letters.'));
    }
    fill(panel, content);
  }

  /** The newest page of one partition. */
  async function records(service, topic, partition) {
    const from = Math.max(partition.startOffset, partition.endOffset - PAGE);
    const page = await kit.call(
      service,
      `${base}/${encodeURIComponent(topic)}/${partition.partition}?from=${from}&limit=${PAGE}`,
    );
    if (!page.ok) return errorBox(`Partition ${partition.partition}: ${problem(page)}`);
    return h(
      'div',
      {},
      h(
        'p',
        { class: 'muted' },
        `Partition ${partition.partition}: offsets ${partition.startOffset}–${partition.endOffset - 1}`,
        from > partition.startOffset ? `, the last ${PAGE} shown` : '',
      ),
      table(
        ['Offset', 'Key', 'From', 'Error', 'Value', 'State', ''],
        page.data.records.map((record) => row(service, record)),
        { class: 'dead-letter-records' },
      ),
    );
  }

  function row(service, record) {
    const value = record.valueText ?? (record.valueBase64 ? `base64:${record.valueBase64}` : '');
    return h(
      'tr',
      { 'data-offset': record.offset, 'data-key': record.key ?? '' },
      h('td', { class: 'num' }, record.offset, h('div', { class: 'muted nowrap' }, time(record.timestamp))),
      h('td', { class: 'mono' }, dash(record.key)),
      h(
        'td',
        { class: 'mono nowrap' },
        record.originalTopic ? `${record.originalTopic}-${record.originalPartition}@${record.originalOffset}` : '—',
        record.replayedFrom ? h('div', { class: 'muted' }, `replay of ${record.replayedFrom}`) : null,
      ),
      h(
        'td',
        { class: 'error-text' },
        dash(record.exceptionCauseClass ?? record.exceptionClass),
        record.exceptionMessage ? h('div', {}, record.exceptionMessage) : null,
      ),
      h(
        'td',
        { class: 'mono value' },
        h('div', { class: 'value-preview', title: `${record.valueSize} bytes` }, value),
        record.valueTruncated ? h('div', { class: 'muted' }, `first bytes of ${record.valueSize}`) : null,
      ),
      h(
        'td',
        {},
        record.handled ? kit.badge(record.handled) : kit.badge('PENDING'),
        record.replayedTo ? h('div', { class: 'muted mono' }, `→ ${record.replayedTo}`) : null,
        record.handledAt ? h('div', { class: 'muted nowrap' }, time(record.handledAt)) : null,
      ),
      h(
        'td',
        { class: 'nowrap' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary replay',
            onclick: (e) => act(service, record, 'replay', e.currentTarget).catch(failed),
          },
          record.handled ? 'Replay again' : 'Replay',
        ),
        record.handled
          ? null
          : h(
              'button',
              {
                type: 'button',
                class: 'secondary discard',
                onclick: (e) => act(service, record, 'discard', e.currentTarget).catch(failed),
              },
              'Discard',
            ),
      ),
    );
  }

  async function act(service, record, action, button) {
    const where = `${record.topic}-${record.partition}@${record.offset}`;
    if (action === 'discard' && !window.confirm(`Discard dead letter ${where}? It will not be replayed.`)) return;
    button.disabled = true;
    const force = action === 'replay' && record.handled ? '?force=true' : '';
    const answer = await kit.call(
      service,
      `${base}/${encodeURIComponent(record.topic)}/${record.partition}/${record.offset}/${action}${force}`,
      { method: 'POST' },
    );
    if (!answer.ok) notice(`${action} of ${where} in ${service} failed: ${problem(answer)}`, 'error');
    else if (action === 'replay') {
      notice(`Replayed ${where} in ${service} to ${answer.data.topic}-${answer.data.partition}@${answer.data.offset}.`, 'ok');
    } else notice(`Discarded ${where} in ${service}.`, 'ok');
    await load(service);
  }

  async function replayAll(service, topic, button) {
    button.disabled = true;
    const answer = await kit.call(service, `${base}/replay?topic=${encodeURIComponent(topic)}`, { method: 'POST' });
    if (!answer.ok) notice(`Replay of ${topic} in ${service} failed: ${problem(answer)}`, 'error');
    else {
      const r = answer.data;
      notice(
        `Replayed ${r.replayed} dead letters of ${topic} in ${service} (${r.skipped} handled before, skipped)`
          + (r.complete ? '.' : `; not complete: ${r.error ?? 'limit reached, replay again for the rest'}.`),
        r.complete ? 'ok' : 'error',
      );
    }
    await load(service);
  }

  return show;
}
