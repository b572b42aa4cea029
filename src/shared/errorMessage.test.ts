import { errorMessage } from './errorMessage';

describe('errorMessage', () => {
  it('shows an HTTP error as its status and message', () => {
    expect(errorMessage({ status: 403, data: { message: 'Permission denied' } })).toBe('HTTP 403 Permission denied');
    expect(errorMessage({ status: 502, data: {} })).toBe('HTTP 502');
  });

  it('shows a thrown error by its message, anything else as text', () => {
    expect(errorMessage(new Error('network down'))).toBe('network down');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
