// Drives the sandbox's Salesforce with jsforce 3, as a new integration would.
// Env: SF_INSTANCE (server base), SF_TOKEN, SF_VERSION (default: jsforce's own default).
import jsforce from 'jsforce';
import { step, finish } from './report.mjs';

const options = { instanceUrl: process.env.SF_INSTANCE, accessToken: process.env.SF_TOKEN };
if (process.env.SF_VERSION) options.version = process.env.SF_VERSION;
const conn = new jsforce.Connection(options);
const Contact = conn.sobject('Contact');
let created, many;

await step('version', () => conn.version);
await step('describeGlobal', async () => (await conn.describeGlobal()).sobjects.map((s) => s.name));
await step('describeContact', async () => {
  const d = await Contact.describe();
  const pick = (n) => d.fields.find((f) => f.name === n);
  return Object.fromEntries(['Id', 'LastName', 'Email', 'External_Id__c', 'LeadSource', 'AccountId', 'CreatedDate']
    .map((n) => [n, (({ type, externalId, idLookup, updateable, createable, nillable, unique, relationshipName, referenceTo, picklistValues }) =>
      ({ type, externalId, idLookup, updateable, createable, nillable, unique, relationshipName, referenceTo,
         picklist: picklistValues.map((p) => p.value) }))(pick(n))]));
});
await step('create', async () => (created = await Contact.create({ LastName: 'Contract', Email: 'contract@example.com' })));
await step('retrieve', async () => {
  const r = await Contact.retrieve(created.id);
  return { Id: r.Id, LastName: r.LastName, Email: r.Email, IsDeleted: r.IsDeleted };
});
await step('update', () => Contact.update({ Id: created.id, Title: 'Buyer' }));
await step('createMany', async () => (many = await Contact.create([{ LastName: 'One' }, { LastName: 'Two' }])));
await step('updateMany', () => Contact.update(many.map((r, i) => ({ Id: r.id, Title: 'Title ' + i }))));
await step('retrieveMany', async () =>
  (await Contact.retrieve([created.id, many[0].id, many[1].id])).map((r) => r && { Id: r.Id, Title: r.Title }));
await step('upsertCreate', () => Contact.upsert({ External_Id__c: 'EXT-contract-1', LastName: 'Upserted' }, 'External_Id__c'));
await step('upsertUpdate', () => Contact.upsert({ External_Id__c: 'EXT-contract-1', LastName: 'Upserted again' }, 'External_Id__c'));
await step('upsertByEmail', () => Contact.upsert({ Email: 'contract@example.com', FirstName: 'Via email' }, 'Email'));
await step('upsertByLastName', () => Contact.upsert({ LastName: 'Contract', Title: 'x' }, 'LastName'));
await step('upsertMany', () => Contact.upsert([
  { External_Id__c: 'EXT-contract-2', LastName: 'Many 2' }, { External_Id__c: 'EXT-contract-1', LastName: 'Many 1' }],
  'External_Id__c'));
await step('queryDateLiteralAndParent', async () => {
  const res = await conn.query(
    "SELECT Id, LastName, Account.Name FROM Contact WHERE LastModifiedDate = TODAY AND CreatedDate >= LAST_N_DAYS:1 AND LastName = 'Contract'");
  return res.records.map((r) => ({ Id: r.Id, Account: r.Account }));
});
await step('queryParentFilter', async () => {
  const res = await conn.query("SELECT Id, Account.Name FROM Contact WHERE Account.Name != null LIMIT 3");
  return res.records.map((r) => r.Account?.Name ?? null);
});
await step('destroy', () => Contact.destroy(many[1].id));
await step('destroyAgain', () => Contact.destroy(many[1].id));
await step('queryAfterDelete', async () => (await conn.query(`SELECT Id FROM Contact WHERE Id = '${many[1].id}'`)).totalSize);
await step('queryAll', async () =>
  (await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${many[1].id}'`, { scanAll: true })).records.map((r) => r.IsDeleted));
const start = new Date(Date.parse(process.env.SF_NOW) - 3600_000);
const end = new Date(Date.parse(process.env.SF_NOW) + 60_000);
await step('deleted', async () => (await Contact.deleted(start, end)).deletedRecords.map((d) => d.id));
await step('updated', async () => (await Contact.updated(start, end)).ids);
await step('unknownResource', () => conn.request('/sobjects/Contact/' + created.id + '/nope/more'));
await step('unknownObject', () => conn.sobject('Widget__c').describe());
finish();
