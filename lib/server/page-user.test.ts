import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRedirectError } from 'next/dist/client/components/redirect-error';
import type { SessionUser } from './auth';
import { pageUserOf } from './page-user';
import { AppError } from './errors';

const viewer: SessionUser = { id: 'u1', email: 'viewer@example.com', name: 'Viewer', role: 'viewer' };

test('a page sends a visitor whose session has ended to the sign-in page instead of failing (nothing to log)', () => {
  assert.throws(
    () => pageUserOf(null, 'estate.read'),
    (error: unknown) => isRedirectError(error) && !(error instanceof AppError) && error.digest.includes('/login'),
  );
});

test('a page refuses a role without the permission with the one error contract, and lets the others through', () => {
  assert.throws(() => pageUserOf(viewer, 'users.manage'), (error: unknown) => error instanceof AppError && error.code === 'FORBIDDEN');
  assert.equal(pageUserOf(viewer, 'estate.read'), viewer);
});
