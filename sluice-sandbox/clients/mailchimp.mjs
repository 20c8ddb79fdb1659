// Drives the sandbox's Mailchimp with @mailchimp/mailchimp_marketing 3, as a new integration would.
// Env: MC_BASE (…/3.0), MC_KEY, MC_LIST, MC_SINCE, MC_BEFORE (ISO times), MC_CONCURRENT (parallel reads).
import { createHash } from 'node:crypto';
import mailchimp from '@mailchimp/mailchimp_marketing';
import { step, finish } from './report.mjs';

mailchimp.setConfig({ apiKey: process.env.MC_KEY, server: process.env.MC_KEY.split('-')[1] });
mailchimp.basePath = process.env.MC_BASE; // instead of https://<dc>.api.mailchimp.com/3.0
const list = process.env.MC_LIST;
const hash = (email) => createHash('md5').update(email.toLowerCase()).digest('hex');
const email = 'Contract.Member@Example.com';

await step('ping', () => mailchimp.ping.get());
await step('add', async () => {
  const m = await mailchimp.lists.addListMember(list, { email_address: email, status: 'subscribed', merge_fields: { FNAME: 'Con' } });
  return { id: m.id, status: m.status };
});
await step('addAgain', () => mailchimp.lists.addListMember(list, { email_address: email, status: 'subscribed' }));
await step('archive', () => mailchimp.lists.deleteListMember(list, hash(email)));
await step('readArchived', async () => (await mailchimp.lists.getListMember(list, hash(email))).status);
await step('readdArchived', async () => (await mailchimp.lists.addListMember(list, { email_address: email, status: 'pending' })).status);
await step('archiveUnknown', () => mailchimp.lists.deleteListMember(list, hash('nobody@example.com')));
await step('fields', () => mailchimp.lists.getListMembersInfo(list, { count: 3, fields: ['members.email_address', 'members.status', 'total_items'] }));
await step('excludeFields', async () => Object.keys((await mailchimp.lists.getListMembersInfo(list, { count: 1, excludeFields: ['members.merge_fields', '_links', 'members._links'] })).members[0]));
await step('window', async () => {
  const res = await mailchimp.lists.getListMembersInfo(list, { count: 1000, sinceLastChanged: process.env.MC_SINCE, beforeLastChanged: process.env.MC_BEFORE, fields: ['members.last_changed', 'total_items'] });
  return res.members.map((m) => m.last_changed);
});
await step('unknownEndpoint', () => mailchimp.apiClient
  ? mailchimp.apiClient.callApi('/no/such/thing', 'GET', {}, {}, {}, {}, null, ['basicAuth'], ['application/json'], ['application/json'], 'application/json')
  : mailchimp.callApi('/no/such/thing', 'GET', {}, {}, {}, {}, null, ['basicAuth'], ['application/json'], ['application/json'], 'application/json'));
await step('concurrent', async () => {
  const n = Number(process.env.MC_CONCURRENT);
  const settled = await Promise.allSettled(Array.from({ length: n }, () => mailchimp.lists.getListMember(list, process.env.MC_SLOW_HASH)));
  return settled.map((s) => s.status === 'fulfilled' ? 200
    : { status: s.reason.status, type: s.reason.response?.type, title: s.reason.response?.body?.title, detail: s.reason.response?.body?.detail });
});
finish();
