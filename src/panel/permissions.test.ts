import { canLabel, canPublishModel } from './permissions';

// As Grafana's bootData reports the built-in roles' relevant actions.
const viewer = { permissions: {} };
const editor = { permissions: { 'annotations:create': true } };
const admin = { permissions: { 'annotations:create': true, 'datasources:write': true } };

describe('canLabel', () => {
  it('lets Editors and Admins label, not Viewers', () => {
    expect(canLabel(undefined, viewer)).toBe(false);
    expect(canLabel(undefined, editor)).toBe(true);
    expect(canLabel(undefined, admin)).toBe(true);
    expect(canLabel(undefined, undefined)).toBe(false);
  });

  it("follows the panel context when it allows adding, else the user's permission", () => {
    expect(canLabel(() => true, viewer)).toBe(true);
    expect(canLabel(() => false, viewer)).toBe(false);
    expect(canLabel(() => false, editor)).toBe(true);
  });
});

describe('canPublishModel', () => {
  it('lets only Admins (datasources:write) publish', () => {
    expect(canPublishModel(viewer)).toBe(false);
    expect(canPublishModel(editor)).toBe(false);
    expect(canPublishModel(admin)).toBe(true);
    expect(canPublishModel(undefined)).toBe(false);
  });
});
