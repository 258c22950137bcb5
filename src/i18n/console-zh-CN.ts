/** 控制台（src/main/console.ts）启动时的说明。 */
export const consoleZhCN = {
  'console.logFile': '日志：{file}（用 MUSTER_LOG_FILE 改位置，用 MUSTER_LOG_LEVEL 调详细程度）。警告也会显示在这里。',
  'console.http': 'HTTP 地址 {url}：{paths}。',
  'console.webhooksOff': '控制台中不发送 Webhook 受众：{audiences} 不会收到通知（在 Slack 或 Discord 上运行 Muster 时才会）。',
  'console.tags': '每行开头标明消息的去向：[{channel}] 是你输入命令的控制台频道（频道里的人都能看到），[reply to 名字] 只有发送者能看到，[DM @名字] 是私信，[#inc-…] 是作战室。',
  'console.unknownPerson': '“{name}”不在 muster.yaml 中：此人可以发起事件和查看，但不会被呼叫，也不能确认。人员：{people}。',
  'console.unknownPersonGuess': '“{name}”不在 muster.yaml 中（是否想输入“{guess}”？）：此人可以发起事件和查看，但不会被呼叫，也不能确认。人员：{people}。',
  'console.ready': '就绪。以配置中的人员身份输入，例如  {person}: /incident declare Checkout is failing sev=P1 service={service}   （还可以输入 sleep 5s、quit）',
};
