// Shows the failure member of a mutation's result union: validation errors on the
// inputs they belong to, anything else as a message naming what went wrong.
import { ElMessage } from 'element-plus';
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { errorsByField, localizeMessage, type ServerFieldError } from './server-errors.ts';

export interface FailureLike {
  __typename?: string;
  message?: string;
  fieldErrors?: readonly ServerFieldError[];
}

const KNOWN = ['NotAllowed', 'NotFound', 'StaleWrite', 'InvalidTransition', 'NotEligible', 'ValidationFailed', 'LoginThrottled'];

/** A human sentence for a failure (or a network error when there is no result at all). */
export function failureText(r: FailureLike | null | undefined, t: (k: string, named?: Record<string, unknown>) => string): string {
  if (!r?.__typename) return t('settings.failure.network');
  const head = KNOWN.includes(r.__typename) ? t(`settings.failure.${r.__typename}`) : t('settings.failure.other');
  return r.message ? `${head}（${localizeMessage(r.message, t)}）` : head;
}

export function useFormErrors(prefix = '') {
  const { t } = useI18n();
  const errors = ref<Record<string, string>>({});
  return {
    errors,
    clear() {
      errors.value = {};
    },
    /** Handles anything but the success member; validation errors go to `errors`. */
    fail(r: FailureLike | null | undefined) {
      if (r?.fieldErrors?.length) {
        errors.value = errorsByField(r.fieldErrors, t, prefix);
        ElMessage.error(t('settings.failure.fixFields'));
        return;
      }
      errors.value = {};
      ElMessage.error(failureText(r, t));
    },
  };
}
