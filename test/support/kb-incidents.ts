import type { Incident } from '../../src/incidents/types.js';
import type { KnowledgeEntry } from '../../src/knowledge/record.js';

/**
 * Past incidents for the knowledge-base tests and bench: real-looking English
 * and Chinese incidents (symptom in title and summary, cause and fix in the
 * knowledge entry). `pastIncident` builds a full, resolved Incident record.
 */

export interface PastIncident {
  n: number;
  service: string;
  severity: Incident['severity'];
  title: string;
  summary: string;
  rootCause: string;
  /** Steps separated by ";" or "；". */
  fix: string;
  module: string;
  faultType: string;
  labels?: Record<string, string>;
}

const DAY = 86_400_000;
const BASE = Date.UTC(2025, 0, 6, 8, 0, 0);

export function pastIncident(past: PastIncident, options: { drill?: boolean; resolved?: boolean; id?: string } = {}): Incident {
  const declaredAt = BASE + past.n * 3 * DAY + (past.n % 7) * 3_600_000;
  const resolved = options.resolved ?? true;
  const resolvedAt = declaredAt + (20 + ((past.n * 37) % 300)) * 60_000;
  const entry: KnowledgeEntry = {
    rootCause: past.rootCause,
    resolution: past.fix.split(/[;；]/).map((step) => step.trim()).filter(Boolean),
    module: past.module,
    faultType: past.faultType,
    filedBy: 'alice',
    filedAt: resolvedAt + DAY,
  };
  const id = options.id ?? `INC-${past.n}`;
  return {
    id,
    number: past.n,
    title: past.title,
    severity: past.severity,
    service: past.service,
    status: resolved ? 'resolved' : 'assembled',
    declaredBy: 'bob',
    declaredAt,
    room: `console:${id}`,
    roomName: `#inc-${past.n}`,
    summary: past.summary,
    slots: [],
    deadlineEpoch: 0,
    version: 3,
    head: { seq: 3, hash: 'h' },
    ...(resolved ? { resolvedAt, knowledge: { entry, history: [{ at: entry.filedAt, by: 'alice', kind: 'filed' as const, fields: ['rootCause' as const] }] } } : {}),
    ...(options.drill ? { drill: { scenario: 'p1-checkout', live: [], startedBy: 'carol' } } : {}),
  };
}

type Row = [number, string, Incident['severity'], string, string, string, string, string, string];

const ROWS: Row[] = [
  [1, 'checkout', 'P1', 'Checkout requests timing out at payment step', 'Customers see a spinner then a 504 on place order', 'Payment gateway client connection pool exhausted after a traffic spike', 'Raise the gateway client pool size from 50 to 200; Restart the checkout pods', 'checkout/payment-step', 'timeout'],
  [2, 'payments', 'P1', 'Card payments declined for all Visa cards', 'Acquirer returns code 05 for every Visa authorisation', 'Expired mTLS client certificate towards the acquirer', 'Renew the mTLS client certificate; Reload the payment-gateway config', 'payments/authorisation', 'certificate'],
  [3, 'login', 'P1', 'Users cannot log in, SSO redirect loop', 'Browser loops between /login and the identity provider', 'Session cookie SameSite change in the last release broke the cross-site redirect', 'Roll back release 4.12 of the auth service; Set SameSite=None on the session cookie', 'login/sso', 'release-regression'],
  [4, 'search', 'P2', 'Search results empty for most queries', 'Elasticsearch returns zero hits after the nightly reindex', 'The products alias pointed to a new empty index after a failed reindex job', 'Point the products alias back to the previous index; Rerun the reindex job with throttling', 'search/indexing', 'data'],
  [5, 'cdn', 'P1', 'Images fail to load on the storefront', 'CDN returns 403 for static assets in the EU', 'Origin access token rotated without updating the CDN configuration', 'Update the origin token in the CDN config; Purge the CDN cache for /static', 'storefront/assets', 'config-change'],
  [6, 'database', 'P1', 'Primary database CPU at 100%, site slow', 'orders-db primary CPU saturated, queries queueing', 'Missing index on orders.customer_id after a schema migration', 'Create the index concurrently on orders(customer_id); Kill the long running queries', 'orders/db', 'slow-query'],
  [7, 'payments', 'P2', 'Refunds stuck in pending', 'The refund worker is not consuming its queue', 'Refund worker crashed on a malformed currency code and stopped consuming', 'Restart the refund worker; Move the poison message to the dead letter queue', 'payments/refunds', 'poison-message'],
  [8, 'checkout', 'P2', 'Promo codes not applying discount', 'Cart total ignores valid promo codes', 'Pricing service cache served stale promotion rules', 'Flush the pricing cache; Shorten the promotion cache TTL to 60s', 'checkout/promotions', 'stale-cache'],
  [9, 'login', 'P2', 'SMS one-time passwords delayed by minutes', 'OTP text messages arrive 5-10 minutes late', 'The SMS provider throttled our sender id', 'Fail over to the secondary SMS provider; Ask the provider to raise the throughput limit', 'login/mfa', 'dependency'],
  [10, 'database', 'P1', 'Replication lag on read replicas above 10 minutes', 'Users see an old order status', 'A bulk backfill job wrote 40M rows in one transaction', 'Pause the backfill job; Route reads to the primary until the replicas catch up', 'orders/db', 'replication-lag'],
  [11, 'cdn', 'P2', 'Stale homepage served after deploy', 'Old banner still shown hours after the release', 'Cache-Control max-age set to one day on index.html', 'Purge the CDN cache for the homepage; Set Cache-Control no-cache on index.html', 'storefront/homepage', 'stale-cache'],
  [12, 'search', 'P2', 'Search latency p99 above 3 seconds', 'Autocomplete slow, search requests time out', 'One Elasticsearch data node with a failing disk', 'Exclude the bad node from shard allocation; Replace the disk and rebalance shards', 'search/cluster', 'hardware'],
  [13, 'payments', 'P1', 'Payment gateway returning HTTP 500', 'All payment attempts fail with 500 from the gateway', 'Gateway process deadlocked after a config hot reload', 'Restart the payment gateway; Disable config hot reload', 'payments/gateway', 'deadlock'],
  [14, 'checkout', 'P1', 'Checkout down after deploy, 502 bad gateway', 'Every checkout page returns 502', 'New checkout build missing an environment variable, pods crash-looping', 'Roll back the checkout deployment; Add an env var check to the deploy pipeline', 'checkout/web', 'release-regression'],
  [15, 'login', 'P1', 'Password reset emails not sent', 'No reset mails since 09:00', 'SMTP relay credentials expired', 'Rotate the SMTP relay password; Replay the queued reset emails', 'login/password-reset', 'credential-expiry'],
  [16, 'database', 'P2', 'Disk full on analytics database', 'Writes fail with no space left on device', 'WAL archive not pruned after the backup tool change', 'Prune archived WAL segments; Fix the backup retention policy', 'analytics/db', 'disk-full'],
  [17, 'api-gateway', 'P1', 'Mobile app API 429 too many requests', 'The rate limiter rejects normal traffic', 'Rate limit config deployed per second instead of per minute', 'Revert the rate limit config; Add the unit to the config schema', 'api/rate-limit', 'config-change'],
  [18, 'dns', 'P1', 'Site unreachable, DNS resolution failing', 'NXDOMAIN for shop.example.com in several regions', 'Domain auto-renew failed and the registrar suspended the zone', 'Renew the domain at the registrar; Lower the TTL and verify propagation', 'edge/dns', 'expiry'],
  [19, 'kafka', 'P2', 'Order events delayed, consumer lag growing', 'Kafka consumer lag on order-events above 1M', 'Consumer group rebalancing in a loop because of a slow poll', 'Increase max.poll.interval.ms; Scale out the order consumer', 'orders/events', 'consumer-lag'],
  [20, 'redis', 'P1', 'Session cache evictions logging everyone out', 'Redis evicting session keys, users logged out', 'maxmemory reached after a key without TTL grew', 'Delete the oversized key; Add a TTL to the feature-flag keys; Raise maxmemory', 'login/sessions', 'memory'],
  [21, 'inventory', 'P2', 'Overselling: stock goes negative', 'Inventory reservations double-counted', 'Race condition in reservation release after a retry', 'Enable the reservation lock flag; Reconcile stock from the warehouse feed', 'inventory/reservations', 'race-condition'],
  [22, 'notifications', 'P3', 'Push notifications not delivered on iOS', 'APNs returns 403 InvalidProviderToken', 'APNs auth key revoked by mistake', 'Generate a new APNs key; Deploy the key to the notification service', 'notifications/push', 'credential-expiry'],
  [23, 'payments', 'P2', 'Duplicate charges reported by customers', 'Some customers charged twice for one order', 'Client retried without an idempotency key after a gateway timeout', 'Add idempotency keys to payment requests; Refund the duplicate charges', 'payments/authorisation', 'retry-storm'],
  [24, 'k8s', 'P1', 'Cluster nodes NotReady, many pods evicted', 'Half the nodes in prod-eu are NotReady', 'Kubelet certificates expired on the node pool', 'Rotate the kubelet certificates; Cordon and replace the affected nodes', 'platform/kubernetes', 'certificate'],
  [25, 'search', 'P3', 'Wrong language results in search', 'German users get English product names', 'Analyzer mapping missing for the de locale after a template change', 'Restore the index template with the de analyzer; Reindex German products', 'search/indexing', 'config-change'],
  [26, 'cdn', 'P1', 'Video streaming buffering worldwide', 'HLS segments slow from the CDN edge', 'CDN provider incident in multiple PoPs', 'Switch traffic to the backup CDN via DNS; Watch the provider status page', 'media/streaming', 'dependency'],
  [27, 'checkout', 'P2', 'Address validation failing for UK postcodes', 'Checkout rejects valid postcodes', 'Third-party address API changed its response format', 'Disable strict address validation with the feature flag; Patch the address client parser', 'checkout/address', 'dependency'],
  [28, 'database', 'P1', 'Connection refused to users database', 'Apps get too many connections errors', 'Connection leak in the new ORM version', 'Restart the app pods to release connections; Put PgBouncer in front of the users database; Pin the ORM version', 'accounts/db', 'connection-leak'],
  [29, 'login', 'P3', 'Login page slow to render', 'The login page takes 8s to show', 'An unoptimised 12MB hero image was added', 'Compress the login hero image; Add an image size check in CI', 'login/web', 'performance'],
  [30, 'payments', 'P1', 'Alipay payments failing', 'Alipay callback signature verification fails', 'Alipay rotated its public key and we still used the old one', 'Update the Alipay public key; Re-verify the pending callbacks', 'payments/alipay', 'certificate'],
  [31, 'observability', 'P3', 'Dashboards show no data', 'Prometheus scrapes failing', 'Prometheus disk full, TSDB compaction stopped', 'Extend the Prometheus volume; Reduce retention to 15 days', 'platform/monitoring', 'disk-full'],
  [32, 'checkout', 'P1', 'Checkout memory leak, pods OOMKilled', 'Checkout pods restart every 20 minutes', 'Memory leak in the new PDF invoice library', 'Roll back the invoice library upgrade; Raise the memory limit temporarily', 'checkout/invoices', 'memory'],
  [33, 'search', 'P1', 'Search service down after cluster upgrade', 'Cluster red, shards unassigned', 'The upgrade changed the disk watermark defaults', 'Raise cluster.routing.allocation.disk.watermark; Retry shard allocation', 'search/cluster', 'upgrade'],
  [34, 'api-gateway', 'P2', 'TLS handshake errors for old Android clients', 'Android 6 devices cannot connect', 'TLS 1.0 and 1.1 disabled on the gateway', 'Re-enable legacy ciphers for the mobile hostnames; Plan an app minimum version', 'api/tls', 'config-change'],
  [35, 'database', 'P2', 'Deadlocks on order updates', 'Order status updates fail with deadlock detected', 'Two services update orders and payments rows in opposite order', 'Make both services lock rows in the same order; Retry on deadlock', 'orders/db', 'deadlock'],
  [36, 'checkout', 'P1', '结账页面超时，用户无法下单', '下单接口大量 504，支付前一步卡住', '库存服务响应慢导致结账调用超时', '扩容库存服务实例；把结账调用库存的超时从 10 秒降到 2 秒并开启熔断', '结账/下单', '超时'],
  [37, 'payments', 'P1', '微信支付回调失败，订单状态未更新', '用户已付款但订单显示待支付', '回调地址的负载均衡证书过期', '更换负载均衡上的 HTTPS 证书；手动补偿未更新的订单', '支付/微信支付', '证书过期'],
  [38, 'login', 'P1', '登录失败，提示验证码错误', '短信验证码校验全部失败', 'Redis 集群主从切换后验证码写入了旧主', '重启验证码服务刷新 Redis 连接；修复客户端哨兵配置', '登录/验证码', '主从切换'],
  [39, 'database', 'P1', '数据库主从切换后连接池耗尽', '订单库切换后应用报连接超时', '应用连接池未设置最大生命周期，仍连着旧主库', '滚动重启订单服务；连接池设置 maxLifetime 为 30 分钟', '订单/数据库', '连接池'],
  [40, 'cdn', 'P2', 'CDN回源失败，图片加载慢', '部分地区图片 502，回源超时', '源站出口带宽打满', '开启 CDN 分层缓存减少回源；源站扩容带宽', '商城/静态资源', '带宽'],
  [41, 'search', 'P2', '搜索结果不准确，相关性差', '用户搜索手机时手机壳排在前面', '排序模型新版本特征缺失', '回滚排序模型到上一版本；补全特征管道监控', '搜索/排序', '模型回归'],
  [42, 'payments', 'P2', '退款到账延迟', '银行卡退款超过 7 天未到账', '退款对账任务失败，批次未提交给银行', '手动重跑退款对账任务；为对账任务增加失败告警', '支付/退款', '批处理失败'],
  [43, 'checkout', 'P2', '购物车商品丢失', '用户登录后购物车被清空', '购物车合并逻辑在新版本中覆盖了登录前的数据', '回滚购物车服务；从备份恢复受影响用户的购物车', '结账/购物车', '版本缺陷'],
  [44, 'database', 'P1', '慢查询导致数据库 CPU 飙高', '商品库 CPU 100%，接口超时', '运营后台导出报表执行全表扫描', '杀掉导出报表的慢查询；报表改到只读从库执行并加索引', '商品/数据库', '慢查询'],
  [45, 'login', 'P2', '第三方微信登录不可用', '微信授权回调报 invalid appsecret', 'appsecret 被重置后配置未同步', '在配置中心更新微信 appsecret；重启登录服务', '登录/第三方登录', '配置变更'],
  [46, 'kafka', 'P1', '消息队列堆积，订单通知延迟', 'Kafka 积压 500 万条，用户收不到发货通知', '消费者线程被下游短信接口阻塞', '临时扩容消费者；为下游调用加超时并改为异步', '通知/消息队列', '消费积压'],
  [47, 'redis', 'P1', '缓存雪崩，大量请求打到数据库', 'Redis 热点 key 同时过期，数据库 QPS 暴涨', '商品缓存统一设置了相同的过期时间', '过期时间加随机抖动；开启缓存预热；数据库限流', '商品/缓存', '缓存雪崩'],
  [48, 'cdn', 'P1', '全站 HTTPS 证书过期', '浏览器提示证书无效，访问量骤降', 'CDN 上的证书自动续期失败', '在 CDN 控制台手动上传新证书；配置证书到期告警', '边缘/证书', '证书过期'],
  [49, 'inventory', 'P2', '库存同步延迟，商品显示有货实际无货', '仓库库存与前台不一致', '库存同步定时任务因锁未释放停止运行', '释放分布式锁并重启同步任务；给锁加上过期时间', '库存/同步', '定时任务'],
  [50, 'payments', 'P1', '支付网关大面积超时', '支付成功率从 99% 降到 40%', '支付网关所在机房网络抖动', '将支付流量切换到备用机房；联系运营商排查链路', '支付/网关', '网络'],
  [51, 'k8s', 'P2', '发布后 Pod 一直 CrashLoopBackOff', '新版本容器启动即退出', '镜像中缺少配置文件的挂载路径', '回滚 Deployment 到上一版本；修复 Helm 模板中的 volumeMounts', '平台/容器', '发布失败'],
  [52, 'search', 'P3', '搜索联想词不更新', '热门搜索词停留在上周', '联想词离线任务依赖的 Hive 表分区缺失', '补齐 Hive 分区后重跑联想词任务', '搜索/联想词', '数据延迟'],
  [53, 'dns', 'P2', '内网域名解析失败，服务间调用报错', '部分服务无法解析 user-service.internal', 'CoreDNS 内存不足被 OOMKill', '提高 CoreDNS 内存限制并扩容副本；开启 DNS 缓存', '平台/DNS', '内存'],
  [54, 'checkout', 'P1', '优惠券叠加导致零元订单', '大量订单实付金额为 0', '优惠券互斥规则配置错误', '紧急下线该优惠券活动；修正互斥规则并取消异常订单', '结账/优惠券', '配置变更'],
  [55, 'login', 'P1', '大量账号被撞库登录', '登录失败率和异地登录激增', '攻击者使用泄露的密码库撞库', '开启登录滑块验证码；对异常 IP 限流封禁；强制受影响用户重置密码', '登录/安全', '安全攻击'],
  [56, 'database', 'P2', '数据库磁盘空间不足', 'MySQL binlog 占满磁盘', 'binlog 过期时间配置被误改为 30 天', '清理过期 binlog；恢复 binlog_expire_logs_seconds 为 3 天', '订单/数据库', '磁盘满'],
  [57, 'payments', 'P2', '支付宝花呗分期不可用', '分期选项不显示', '分期费率接口升级后签名算法变更', '升级支付宝 SDK 到新签名算法；灰度验证后全量', '支付/支付宝', '依赖变更'],
  [58, 'redis', 'P2', 'Redis 内存使用率告警，响应变慢', '大 key 导致 Redis 阻塞', '一个 hash 大 key 超过 2GB', '拆分大 key；使用 UNLINK 异步删除', '通用/缓存', '大key'],
  [59, 'cdn', 'P3', '视频首帧加载慢', '移动端播放起播时间超过 5 秒', 'CDN 预热任务未覆盖新上线的视频', '对新视频执行 CDN 预热；上线流程加入预热步骤', '媒体/视频', '缓存未命中'],
  [60, 'api-gateway', 'P1', '网关 502，所有接口不可用', 'API 网关全部返回 502 bad gateway', '网关配置热更新时加载了错误的上游地址', '回滚网关配置；重启网关实例', '接口/网关', '配置变更'],
  [61, 'checkout', 'P2', 'checkout 页面 JS 报错，按钮无法点击', '前端 bundle 加载失败', 'CDN 缓存了旧的 chunk 文件名映射', '刷新 CDN 缓存；前端文件名加内容哈希', '结账/前端', '缓存不一致'],
  [62, 'payments', 'P1', 'PayPal payments failing with timeout 支付超时', 'PayPal 接口超时率 80%', '出口 NAT 网关连接数耗尽', '扩容 NAT 网关；为 PayPal 调用开启连接复用', '支付/PayPal', '网络'],
  [63, 'search', 'P2', 'Elasticsearch 集群 yellow，副本未分配', '一个节点宕机后副本无法分配', '集群磁盘水位超过 85%', '删除过期索引释放磁盘；扩容数据节点', '搜索/集群', '磁盘满'],
  [64, 'login', 'P2', 'App 登录 token 刷新失败，用户频繁掉线', 'refresh token 接口返回 401', 'JWT 签名密钥轮换后旧 token 未兼容', '同时接受新旧签名密钥；延长轮换过渡期', '登录/令牌', '密钥轮换'],
  [65, 'observability', 'P3', '告警风暴，值班手机被打爆', '一小时内 3000 条告警', '告警规则缺少分组和抑制', '为告警规则配置分组与抑制；合并重复告警', '平台/告警', '告警配置'],
];

export const PAST_INCIDENTS: PastIncident[] = ROWS.map(([n, service, severity, title, summary, rootCause, fix, module, faultType]) => ({
  n, service, severity, title, summary, rootCause, fix, module, faultType,
}));

export const KB_FIXTURE: Incident[] = PAST_INCIDENTS.map((past) => pastIncident(past));

/** A labelled query: the incident a responder would want in the top 3, and why. */
export interface LabelledQuery {
  query: string;
  expect: number;
  by: 'symptom' | 'fix';
}

export const LABELLED_QUERIES: LabelledQuery[] = [
  { query: 'checkout timeout', expect: 1, by: 'symptom' },
  { query: 'restart the payment gateway', expect: 13, by: 'fix' },
  { query: 'SSO redirect loop', expect: 3, by: 'symptom' },
  { query: 'images not loading, CDN 403', expect: 5, by: 'symptom' },
  { query: 'add missing index, kill long running queries', expect: 6, by: 'fix' },
  { query: 'renew the client certificate for the acquirer', expect: 2, by: 'fix' },
  { query: 'purge cdn cache homepage', expect: 11, by: 'fix' },
  { query: 'kafka consumer lag', expect: 19, by: 'symptom' },
  { query: 'users logged out, redis evicting sessions', expect: 20, by: 'symptom' },
  { query: 'customers charged twice', expect: 23, by: 'symptom' },
  { query: 'rolled back the checkout deployment', expect: 14, by: 'fix' },
  { query: 'PgBouncer connection leak', expect: 28, by: 'fix' },
  { query: '结账超时', expect: 36, by: 'symptom' },
  { query: '将流量切换到备用机房', expect: 50, by: 'fix' },
  { query: '连接池耗尽', expect: 39, by: 'symptom' },
  { query: '过期时间加随机抖动', expect: 47, by: 'fix' },
  { query: 'CDN 证书过期', expect: 48, by: 'symptom' },
  { query: 'Kafka 消息积压', expect: 46, by: 'symptom' },
  { query: '微信支付回调失败', expect: 37, by: 'symptom' },
  { query: 'Redis 大key 拆分', expect: 58, by: 'fix' },
];
