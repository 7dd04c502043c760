// Server-side validation failures (`ValidationFailed.fieldErrors`, dotted paths such as
// `name`, `skills.2`, `fields.2.options`) turned into messages on form inputs. The
// server explains in English; the common explanations are shown in the user's language
// (keys under settings.serverMessage), anything else as the server wrote it.

export interface ServerFieldError {
  field: string;
  message: string;
}

type Translate = (key: string, named?: Record<string, unknown>) => string;

/** Patterns of the server's messages and the i18n key (with named groups as parameters). */
const PATTERNS: readonly [RegExp, string][] = [
  [/^is required$/, 'required'],
  [/^is required, at most (?<max>\d+) characters$/, 'requiredMax'],
  [/^at most (?<max>\d+) characters$/, 'maxChars'],
  [/^is not an email address$/, 'email'],
  [/^is not a phone number$/, 'phone'],
  [/^must start with a lower-case letter/, 'key'],
  [/^duplicates the key of field (?<n>\d+)$/, 'duplicateKey'],
  [/^a select field needs at least one option$/, 'needOptions'],
  [/^duplicates another option$/, 'duplicateOption'],
  [/^must be between (?<min>\d+) and (?<max>\d+) seconds/, 'betweenSeconds'],
  [/^must be between (?<min>\d+) and (?<max>\d+)$/, 'between'],
  [/^between (?<min>\d+) and (?<max>\d+) characters$/, 'betweenChars'],
  [/^say who may edit the field after submit$/, 'editorsNeeded'],
  [/^only fields editable after submit have editors$/, 'editorsNotAllowed'],
  [/^CREATOR can edit only fields visible to customers$/, 'creatorNeedsVisible'],
  [/^cannot change from \w+/, 'kindLocked'],
  [/^does not apply to \w+$/, 'notApplicable'],
  [/^choose at least one of AUTO, MANAGER, GRAB$/, 'modesNeeded'],
  [/^only applies to AUTO or MANAGER dispatch$/, 'acceptanceNeedsDispatch'],
  [/^only applies to AUTO dispatch$/, 'acceptanceNeedsAuto'],
  [/^only applies to MANAGER dispatch$/, 'acceptanceNeedsManager'],
  [/^a ticket type with this name exists$/, 'typeNameTaken'],
  [/^a user with this email exists$/, 'emailTaken'],
  [/^an organization with this name exists$/, 'orgNameTaken'],
  [/^must be an active agent$/, 'activeAgent'],
  [/^no such user$/, 'noSuchUser'],
  [/^no such team$/, 'noSuchTeam'],
  [/^must be a SERVICE team$/, 'serviceTeam'],
  [/^must be a ASSIST team$/, 'assistTeam'],
  [/^only agents and managers can serve tickets$/, 'serviceRole'],
  [/^listed twice$/, 'listedTwice'],
  [/^customers cannot join teams$/, 'noCustomers'],
  [/^service teams are for agents and managers$/, 'serviceRole'],
  [/^the team is used by ticket types/, 'teamInUse'],
  [/^only customers log in as a contact$/, 'contactCustomerOnly'],
  [/^an email address is needed to reply by email$/, 'replyEmail'],
  [/^a phone number is needed to reply by SMS$/, 'replyPhone'],
  [/^must be a single line$/, 'singleLine'],
  [/^is not one of the options$/, 'notAnOption'],
  [/^must be a number$/, 'number'],
  [/^must be a date as YYYY-MM-DD$/, 'date'],
  [/^must be an order or asset number/, 'orderRef'],
  [/^must be 1 to 5$/, 'score'],
  [/^at least (?<min>\d+) characters$/, 'minChars'],
  [/^must not be the email address$/, 'notEmail'],
  [/^must not contain the email address$/, 'noEmail'],
  [/^must not contain the name$/, 'noName'],
  [/^must not be the previous password$/, 'previousPassword'],
  [/^is too common or too easy to guess$/, 'guessable'],
  [/^is not your current password$/, 'wrongCurrent'],
  [/^Too many failed logins\. Retry in (?<seconds>\d+) s\.$/, 'throttled'],
];

/** The message in the user's language when it is a known one, else as the server wrote it. */
export function localizeMessage(message: string, t: Translate): string {
  for (const [re, key] of PATTERNS) {
    const m = re.exec(message);
    if (m) {
      const named = { ...m.groups } as Record<string, unknown>;
      if (key === 'duplicateKey') named.n = Number(m.groups!.n) + 1;
      return t(`settings.serverMessage.${key}`, named);
    }
  }
  return message;
}

/**
 * Errors by input path, localized, with the prefix (e.g. `assignment.`) removed. Errors
 * on list items (`skills.2`, `members.0.userId`) are also listed under the list
 * (`skills`, `members`) so a form item for the whole list shows them.
 */
export function errorsByField(errors: readonly ServerFieldError[], t: Translate, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (k: string, msg: string) => {
    if (!out[k]) out[k] = msg;
    else if (!out[k].split('; ').includes(msg)) out[k] = `${out[k]}; ${msg}`;
  };
  for (const e of errors) {
    const path = prefix && e.field.startsWith(prefix) ? e.field.slice(prefix.length) : e.field;
    const msg = localizeMessage(e.message, t);
    add(path, msg);
    const parts = path.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      if (/^\d+$/.test(parts[i]!)) add(parts.slice(0, i).join('.'), msg);
    }
  }
  return out;
}
