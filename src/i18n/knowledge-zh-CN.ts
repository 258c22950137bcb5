import type { knowledgeEn } from './knowledge-en.js';

/** Simplified Chinese messages of src/knowledge (spread into the zh-CN catalogue). */
export const knowledgeZhCN: Record<keyof typeof knowledgeEn, string> = {
  'knowledge.field.rootCause': '请说明原因：rootCause 为必填项（最多 2000 个字符）。',
  'knowledge.field.resolution': '请列出解决步骤：resolution 需要 1 到 30 步，每行一步或用“;”分隔（每步最多 500 个字符）。',
  'knowledge.field.prevention': 'prevention 如填写，长度须为 1 到 2000 个字符。',
  'knowledge.field.module': '请填写产品模块，例如 module=checkout（最多 80 个字符）。',
  'knowledge.field.faultType': '请填写故障类型，例如 faultType=timeout（最多 80 个字符）。',
  'knowledge.field.playbook': 'playbook 如填写，须为最多 80 个字符的预案 ID。',
  'knowledge.unknownField': '未知的知识字段“{field}”。可用字段：{allowed}。',
  'knowledge.emptyEdit': '请至少指定一个要修改的字段：{allowed}。',
  'knowledge.noEntry': '{id} 还没有知识条目：请先提交一条。',
  'knowledge.skipReasonRequired': '跳过 {id} 的知识沉淀任务需要填写原因。',
  'knowledge.taskAlreadyFiled': '{id} 的知识条目已经提交：请改为编辑。',
  'knowledge.taskAlreadySkipped': '{id} 的知识沉淀任务已被跳过。',
  'knowledge.noTask': '{id} 没有知识沉淀任务。',
};
