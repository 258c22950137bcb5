/**
 * Request-body validation for the fake Discord, answering like Discord does: HTTP 400 with
 * `{ code: 50035, message: 'Invalid Form Body', errors: { <path>: { _errors: [{ code, message }] } } }`.
 * Covers the limits a chat-ops bot realistically trips over (content, embeds, components, command
 * definitions, channel names, autocomplete choices, modals, allowed_mentions) rather than all of them.
 */

export type Json = Record<string, unknown>;

export class FormErrors {
  private readonly list: Array<{ path: Array<string | number>; code: string; message: string }> = [];

  add(path: Array<string | number>, code: string, message: string): void {
    this.list.push({ path, code, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Discord's nested error object. */
  toJSON(): Json {
    const root: Json = {};
    for (const { path, code, message } of this.list) {
      let node = root;
      for (const key of path) {
        const k = String(key);
        node[k] ??= {};
        node = node[k] as Json;
      }
      const errors = (node._errors ??= []) as Array<{ code: string; message: string }>;
      errors.push({ code, message });
    }
    return root;
  }

  describe(): string {
    return this.list.map((e) => `${e.path.join('.') || '(body)'}: ${e.code} ${e.message}`).join('; ');
  }
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strLen = (v: unknown): number => (typeof v === 'string' ? [...v].length : 0);

function maxLen(errs: FormErrors, path: Array<string | number>, value: unknown, max: number): void {
  if (typeof value === 'string' && strLen(value) > max) {
    errs.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }
}

function lenBetween(errs: FormErrors, path: Array<string | number>, value: unknown, min: number, max: number, required = true): void {
  if (value === undefined || value === null) {
    if (required) errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    errs.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return;
  }
  const n = strLen(value);
  if (n < min || n > max) errs.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
}

/** Message flags a bot may set when creating a message (SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2). */
export const SETTABLE_MESSAGE_FLAGS = 4 | 64 | 4096 | 32768;
export const IS_COMPONENTS_V2 = 32768;

export function validateEmbeds(errs: FormErrors, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    errs.add(['embeds'], 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  if (embeds.length > 10) errs.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObj(embed)) {
      errs.add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    maxLen(errs, ['embeds', i, 'title'], embed.title, 256);
    maxLen(errs, ['embeds', i, 'description'], embed.description, 4096);
    total += strLen(embed.title) + strLen(embed.description);
    if (isObj(embed.footer)) {
      maxLen(errs, ['embeds', i, 'footer', 'text'], embed.footer.text, 2048);
      total += strLen(embed.footer.text);
    }
    if (isObj(embed.author)) {
      maxLen(errs, ['embeds', i, 'author', 'name'], embed.author.name, 256);
      total += strLen(embed.author.name);
    }
    if (embed.color !== undefined && embed.color !== null && (typeof embed.color !== 'number' || embed.color < 0 || embed.color > 0xffffff)) {
      errs.add(['embeds', i, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
    if (embed.fields !== undefined) {
      if (!Array.isArray(embed.fields)) errs.add(['embeds', i, 'fields'], 'BASE_TYPE_LIST', 'Must be a list.');
      else {
        if (embed.fields.length > 25) errs.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        embed.fields.forEach((field: unknown, j: number) => {
          if (!isObj(field)) return;
          lenBetween(errs, ['embeds', i, 'fields', j, 'name'], field.name, 1, 256);
          lenBetween(errs, ['embeds', i, 'fields', j, 'value'], field.value, 1, 1024);
          total += strLen(field.name) + strLen(field.value);
        });
      }
    }
  });
  if (total > 6000) errs.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

/** Validates action rows and their buttons/selects (components v1), and custom_id uniqueness for any layout. */
export function validateComponents(errs: FormErrors, components: unknown, v2: boolean): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    errs.add(['components'], 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  if (!v2 && components.length > 5) errs.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const seen = new Set<string>();
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (!isObj(node)) {
      errs.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    if (typeof node.type !== 'number') errs.add([...path, 'type'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (typeof node.custom_id === 'string') {
      lenBetween(errs, [...path, 'custom_id'], node.custom_id, 1, 100);
      if (seen.has(node.custom_id)) errs.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
      seen.add(node.custom_id);
    }
    if (node.type === 1) {
      const children = Array.isArray(node.components) ? node.components : [];
      if (children.length === 0) errs.add([...path, 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
      if (children.length > 5) errs.add([...path, 'components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
      children.forEach((c: unknown, i: number) => walk(c, [...path, 'components', i]));
    } else if (node.type === 2) {
      maxLen(errs, [...path, 'label'], node.label, 80);
      const link = node.style === 5;
      const premium = node.style === 6;
      if (link && typeof node.url !== 'string') errs.add([...path, 'url'], 'BUTTON_COMPONENT_URL_REQUIRED', 'A url is required');
      if (!link && !premium && typeof node.custom_id !== 'string') {
        errs.add([...path, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required');
      }
      if (typeof node.style !== 'number' || node.style < 1 || node.style > 6) errs.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
    } else {
      for (const key of ['components', 'accessory', 'component'] as const) {
        const child = node[key];
        if (Array.isArray(child)) child.forEach((c: unknown, i: number) => walk(c, [...path, key, i]));
        else if (isObj(child)) walk(child, [...path, key]);
      }
    }
  };
  components.forEach((c, i) => walk(c, ['components', i]));
}

export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}

export function validateAllowedMentions(errs: FormErrors, value: unknown): AllowedMentions | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObj(value)) {
    errs.add(['allowed_mentions'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return undefined;
  }
  const am = value as AllowedMentions;
  for (const p of am.parse ?? []) {
    if (!['users', 'roles', 'everyone'].includes(p)) {
      errs.add(['allowed_mentions', 'parse'], 'BASE_TYPE_CHOICES', 'Value must be one of {"users", "roles", "everyone"}.');
    }
  }
  if (am.parse?.includes('users') && (am.users?.length ?? 0) > 0) {
    errs.add(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids...] are mutually exclusive.');
  }
  if (am.parse?.includes('roles') && (am.roles?.length ?? 0) > 0) {
    errs.add(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["roles"] and roles: [ids...] are mutually exclusive.');
  }
  if ((am.users?.length ?? 0) > 100) errs.add(['allowed_mentions', 'users'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  if ((am.roles?.length ?? 0) > 100) errs.add(['allowed_mentions', 'roles'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  return am;
}

/**
 * A message body (channel message, interaction response or webhook message). `partial` for edits,
 * where omitted fields stay as they are. Returns whether the message would be empty (Discord's 50006).
 */
export function validateMessageBody(errs: FormErrors, body: Json, opts: { partial: boolean; hasFiles: boolean }): { empty: boolean } {
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  const v2 = (flags & IS_COMPONENTS_V2) !== 0;
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') errs.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
    else maxLen(errs, ['content'], body.content, 2000);
  }
  if (v2 && ((typeof body.content === 'string' && body.content !== '') || (Array.isArray(body.embeds) && body.embeds.length > 0))) {
    errs.add(['content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' and \'embeds\' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  }
  validateEmbeds(errs, body.embeds);
  validateComponents(errs, body.components, v2);
  validateAllowedMentions(errs, body.allowed_mentions);
  if (body.flags !== undefined && body.flags !== null && typeof body.flags === 'number' && (body.flags & ~SETTABLE_MESSAGE_FLAGS) !== 0) {
    errs.add(['flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid flags');
  }
  const hasContent = typeof body.content === 'string' && body.content.trim() !== '';
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
  const hasPoll = isObj(body.poll);
  return { empty: !opts.partial && !hasContent && !hasEmbeds && !hasComponents && !hasStickers && !hasPoll && !opts.hasFiles };
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateCommandName(errs: FormErrors, path: Array<string | number>, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') {
    errs.add([...path, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (chatInput && (!COMMAND_NAME.test(name) || name !== name.toLowerCase())) {
    errs.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  } else lenBetween(errs, [...path, 'name'], name, 1, 32);
}

function validateOptions(errs: FormErrors, path: Array<string | number>, options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errs.add(path, 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  if (options.length > 25) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let sawOptional = false;
  const names = new Set<string>();
  options.forEach((option: unknown, i: number) => {
    const p = [...path, i];
    if (!isObj(option)) {
      errs.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = option.type;
    if (typeof type !== 'number' || type < 1 || type > 11) {
      errs.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
      return;
    }
    validateCommandName(errs, p, option.name, true);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) errs.add([...p, 'name'], 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', 'Option name already exists');
      names.add(option.name);
    }
    lenBetween(errs, [...p, 'description'], option.description, 1, 100);
    if (type === 1 || type === 2) {
      if (depth >= (type === 2 ? 1 : 2)) errs.add([...p, 'type'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
      validateOptions(errs, [...p, 'options'], option.options, depth + 1);
      return;
    }
    if (option.required === true) {
      if (sawOptional) errs.add([...p, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    } else sawOptional = true;
    const choices = option.choices;
    if (choices !== undefined) {
      if (option.autocomplete === true) errs.add([...p, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete cannot be set with choices');
      if (!Array.isArray(choices)) errs.add([...p, 'choices'], 'BASE_TYPE_LIST', 'Must be a list.');
      else {
        if (choices.length > 25) errs.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        choices.forEach((choice: unknown, j: number) => {
          if (!isObj(choice)) return;
          lenBetween(errs, [...p, 'choices', j, 'name'], choice.name, 1, 100);
          if (type === 3) lenBetween(errs, [...p, 'choices', j, 'value'], choice.value, 1, 100);
          else if (typeof choice.value !== 'number') errs.add([...p, 'choices', j, 'value'], 'NUMBER_TYPE_COERCE', 'Value is not a number.');
        });
      }
    }
  });
  // A level holding sub-commands holds nothing else.
  const subs = options.filter((o) => isObj(o) && (o.type === 1 || o.type === 2)).length;
  if (subs > 0 && subs !== options.length) {
    errs.add(path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
  }
}

/** One application command in a PUT (bulk overwrite) or POST. */
export function validateCommand(errs: FormErrors, path: Array<string | number>, command: unknown): void {
  if (!isObj(command)) {
    errs.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const type = command.type ?? 1;
  const chatInput = type === 1;
  validateCommandName(errs, path, command.name, chatInput);
  if (chatInput) lenBetween(errs, [...path, 'description'], command.description, 1, 100);
  else if (command.description !== undefined && command.description !== '') {
    errs.add([...path, 'description'], 'APPLICATION_COMMAND_INVALID_DESCRIPTION', 'Context menu commands cannot have description');
  }
  validateOptions(errs, [...path, 'options'], command.options, 0);
}

export function validateAutocompleteChoices(errs: FormErrors, data: unknown): void {
  const choices = isObj(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) {
    errs.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (choices.length > 25) errs.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  choices.forEach((choice: unknown, i: number) => {
    if (!isObj(choice)) return;
    lenBetween(errs, ['data', 'choices', i, 'name'], choice.name, 1, 100);
    if (typeof choice.value === 'string') lenBetween(errs, ['data', 'choices', i, 'value'], choice.value, 1, 100);
  });
}

export function validateModal(errs: FormErrors, data: unknown): void {
  if (!isObj(data)) {
    errs.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  lenBetween(errs, ['data', 'title'], data.title, 1, 45);
  lenBetween(errs, ['data', 'custom_id'], data.custom_id, 1, 100);
  if (!Array.isArray(data.components) || data.components.length === 0) {
    errs.add(['data', 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
  } else if (data.components.length > 5) {
    errs.add(['data', 'components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  }
}

/**
 * Discord's normalisation of text-like channel names (text, announcement, forum): lower case, runs of
 * whitespace become '-', most ASCII punctuation is dropped ("Joey's Cool Channel" → "joeys-cool-channel").
 * An approximation of the real rules, which Discord does not document.
 */
export function normaliseTextChannelName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\s+/gu, '-')
    .replace(/[!"#$%&'()*+,./:;<=>?@[\\\]^`{|}~]/gu, '')
    .replace(/-{2,}/gu, '-');
}
