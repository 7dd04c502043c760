import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.ts';

const owner = { email: 'wang.xiaoming@example.com', name: 'Wang Xiaoming' };

describe('password policy', () => {
  it('takes long, unusual passwords', () => {
    for (const pw of ['blue-kettle-rain-42', 'Tr0ub4dor&3x', 'xk7#pLm2vQ9']) expect(passwordProblem(pw, owner), pw).toBeNull();
  });

  it('refuses short ones, the email, the name and what guessers try first', () => {
    expect(passwordProblem('Kq7#vLm2z', owner)).toBe('at least 10 characters');
    expect(passwordProblem('x'.repeat(201), owner)).toBe('at most 200 characters');
    expect(passwordProblem('Wang.Xiaoming@Example.com', owner)).toBe('must not be the email address');
    expect(passwordProblem('wang.xiaoming-7731', owner)).toBe('must not contain the email address');
    expect(passwordProblem('WangXiaoming#2077', owner)).toBe('must not contain the name');
    expect(passwordProblem('xiaoming-rocks-77', owner)).toBe('must not contain the name');
    expect(passwordProblem('李明@2077-plus', { email: 'li@example.com', name: '李明' })).toBe('must not contain the name');
    for (const pw of ['password1234', 'qwertyuiop', '1234567890', 'iloveyou12', 'P@ssw0rd123', 'gongdan123', 'aaaaaaaaaa']) {
      expect(passwordProblem(pw, owner), pw).toBe('is too common or too easy to guess');
    }
  });
});
