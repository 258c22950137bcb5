/** English messages of src/knowledge (spread into the en catalogue). */
export const knowledgeEn = {
  'knowledge.field.rootCause': 'Say what caused it: rootCause is required (up to 2000 characters).',
  'knowledge.field.resolution': 'List what fixed it: resolution needs 1 to 30 steps, one per line or separated by ";" (up to 500 characters each).',
  'knowledge.field.prevention': 'prevention, when given, must be 1 to 2000 characters.',
  'knowledge.field.module': 'Name the product module, e.g. module=checkout (up to 80 characters).',
  'knowledge.field.faultType': 'Name the fault type, e.g. faultType=timeout (up to 80 characters).',
  'knowledge.field.playbook': 'playbook, when given, is a playbook id of up to 80 characters.',
  'knowledge.unknownField': 'Unknown knowledge field "{field}". Fields: {allowed}.',
  'knowledge.emptyEdit': 'Name at least one field to change: {allowed}.',
  'knowledge.noEntry': '{id} has no knowledge entry yet: file one first.',
  'knowledge.skipReasonRequired': 'Skipping the knowledge task for {id} needs a reason.',
  'knowledge.taskAlreadyFiled': 'The knowledge entry for {id} is already filed: edit it instead.',
  'knowledge.taskAlreadySkipped': 'The knowledge task for {id} was already skipped.',
  'knowledge.noTask': '{id} has no knowledge task.',
} as const;
