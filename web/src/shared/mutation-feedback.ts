// Mutations answer with a union of a payload and typed failures. This turns a failure
// into one sentence in the UI's language (ElMessage), and says whether it was a
// StaleWrite (the caller reloads) or a lost race (the caller rolls back).
import { ElMessage } from 'element-plus';
import { useI18n } from 'vue-i18n';
import { localizeReason } from './reasons.ts';

export interface ResultLike {
  __typename: string;
  message?: string;
  code?: string;
  reason?: string;
  from?: string;
  takenBy?: { name: string } | null;
  fieldErrors?: readonly { field: string; message: string }[];
}

export const isSuccess = (r: { __typename: string } | null | undefined): boolean => !!r && (r.__typename.endsWith('Payload') || r.__typename === 'TicketPayload');

type T = (key: string, named?: Record<string, unknown>) => string;

export function failureText(r: ResultLike, t: T): string {
  switch (r.__typename) {
    case 'StaleWrite':
      return t('ticket.messages.stale');
    case 'TicketAlreadyTaken':
      return t('ticket.messages.taken', { name: r.takenBy?.name ?? '?' });
    case 'NotFound':
      return t('ticket.messages.notFound');
    case 'NotAllowed':
    case 'NotEligible':
      return t('ticket.messages.notAllowed', { reason: localizeReason(r.reason ?? r.message, t) });
    case 'InvalidTransition':
      return t('ticket.messages.invalidTransition', { status: r.from ? t(`status.${r.from}`) : '?' });
    case 'ValidationFailed':
      return t('ticket.messages.validation');
    default:
      return t('ticket.messages.failed', { message: r.message ?? r.__typename });
  }
}

export function useMutationFeedback() {
  const { t } = useI18n();
  return {
    /** Shows what went wrong; returns true when the result was a success. */
    report(r: ResultLike | null | undefined, success?: string): boolean {
      if (!r) {
        ElMessage.error(t('ticket.messages.network'));
        return false;
      }
      if (isSuccess(r)) {
        if (success) ElMessage.success(success);
        return true;
      }
      if (r.__typename === 'StaleWrite' || r.__typename === 'TicketAlreadyTaken') ElMessage.warning(failureText(r, t));
      else ElMessage.error(failureText(r, t));
      return false;
    },
    failureText: (r: ResultLike) => failureText(r, t),
  };
}
