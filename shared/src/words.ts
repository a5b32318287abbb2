/**
 * Words both the page and the server's documents use (the printed record names each bid's outcome as
 * the hall does), in zh-CN and English. The page's other words are in client/src/i18n.tsx.
 */
import type { CommitteeStatus, OpeningStatus, Role, TenderStatus } from './enums.ts';

export interface Phrase {
  readonly zh: string;
  readonly en: string;
}

export const roleWords: Readonly<Record<Role, Phrase>> = {
  bidder: { zh: '投标人', en: 'Bidder' },
  host: { zh: '主持人', en: 'Host' },
  supervisor: { zh: '监督人员', en: 'Supervisor' },
  custodian: { zh: '密钥保管人', en: 'Custodian' },
  tenderee: { zh: '招标人', en: 'Tenderee' },
  expert: { zh: '评标专家', en: 'Expert' },
  admin: { zh: '平台管理员', en: 'Administrator' },
};

/** The platform itself, as the audit log names it when the clock or a job acted. */
export const systemWords: Phrase = { zh: '系统', en: 'System' };
/** The parts of an uploaded bid, as refusals name them. */
export const bidPartWords = {
  manifest: { zh: '投标清单', en: 'manifest' },
  manifestSignature: { zh: '投标清单签名', en: 'manifestSignature' },
  summary: { zh: '开标一览表', en: 'summary' },
  documents: { zh: '投标文件', en: 'documents' },
} as const satisfies Readonly<Record<string, Phrase>>;

/** Who stored a recorded segment: the SFU that recorded it (audit role `sfu`). */
export const sfuWords: Phrase = { zh: '音视频服务器', en: 'Media server' };

export const tenderStatusWords: Readonly<Record<TenderStatus, Phrase>> = {
  scheduled: { zh: '未开始', en: 'Scheduled' },
  'check-in': { zh: '签到中', en: 'Check-in open' },
  opened: { zh: '已开标', en: 'Opened' },
  failed: { zh: '流标', en: 'Failed (流标)' },
  decrypting: { zh: '解密中', en: 'Decrypting' },
  announced: { zh: '已唱标', en: 'Bids read' },
  confirming: { zh: '开标记录确认中', en: 'Record being confirmed' },
  closed: { zh: '开标结束', en: 'Closed' },
  cancelled: { zh: '已终止招标', en: 'Cancelled' },
};

/** Where an evaluation stands, in words (the committee's statuses, state-machine.ts on the server). */
export const committeeStatusWords: Readonly<Record<CommitteeStatus, Phrase>> = {
  drawing: { zh: '待抽取', en: 'awaiting the draw' },
  formed: { zh: '已组建', en: 'formed' },
  'signing-in': { zh: '签到中', en: 'signing in' },
  declaring: { zh: '承诺与回避声明中', en: 'declaring' },
  electing: { zh: '推选组长中', en: 'electing the leader' },
  reviewing: { zh: '评审中', en: 'reviewing' },
  reporting: { zh: '编写报告中', en: 'reporting' },
  signing: { zh: '签署报告中', en: 'signing the report' },
  closed: { zh: '已结束', en: 'closed' },
  published: { zh: '已公示', en: 'published' },
  suspended: { zh: '已暂停', en: 'suspended' },
  're-formed': { zh: '已重新组建', en: 're-formed' },
};

export const openingStatusWords: Readonly<Record<OpeningStatus, Phrase>> = {
  sealed: { zh: '未解密', en: 'Sealed' },
  'summary-decrypted': { zh: '一览表已解密', en: 'Summary open' },
  decrypted: { zh: '解密完成', en: 'Decrypted' },
  revoked: { zh: '撤销（投标人原因未解密）', en: 'Revoked (not decrypted, bidder at fault)' },
  'withdrawn-platform': { zh: '撤回（平台原因未解密）', en: 'Withdrawn (not decrypted, platform at fault)' },
  'remedy-pending': { zh: '等待补救解密', en: 'Awaiting the remedy' },
  invalid: { zh: '内容无效', en: 'Invalid content' },
};

/**
 * Every action the audit log records, in words (the supervisor's feed shows these, never the codes).
 * The server's audit input takes only these names, so a new action cannot go unnamed here.
 */
export const auditActionWords = {
  'auth.login': { zh: '登录', en: 'logged in' },
  'auth.renew': { zh: '续期登录', en: 'renewed the login' },
  'actor.register': { zh: '登记人员证书', en: 'registered a person' },
  'tender.create': { zh: '创建招标项目', en: 'created the tender' },
  'tender.update': { zh: '修改招标项目', en: 'changed the tender' },
  'bid.submit': { zh: '递交投标文件', en: 'submitted a bid' },
  'bid.replace': { zh: '替换投标文件', en: 'replaced a bid' },
  'bid.withdraw': { zh: '撤回投标文件', en: 'withdrew a bid' },
  'bid.list': { zh: '查看投标列表', en: 'listed the bids' },
  'record.export': { zh: '导出开标记录包', en: 'exported the record bundle' },
  'record.verify': { zh: '校验开标记录包', en: 'verified the record bundle' },
  'audit.verify': { zh: '校验审计链', en: 'verified the audit chain' },
  'audit.export': { zh: '导出审计日志', en: 'exported the audit trail' },
  'media.ticket': { zh: '进入会场音视频', en: 'joined the venue’s audio/video' },
  'media.segment': { zh: '录像片段存证', en: 'hashed a recorded segment' },
  'media.recording-started': { zh: '开始录像', en: 'recording started' },
  'media.recording-stopped': { zh: '录像中断', en: 'recording stopped' },
  'evaluation.create': { zh: '创建评标会议', en: 'created an evaluation' },
  'expert.import': { zh: '导入评标专家', en: 'imported experts' },
  'seat.add': { zh: '登记评标席位', en: 'registered a seat' },
  'committee.create': { zh: '提出评标委员会组建要求', en: 'specified the committee' },
  'committee.representatives': { zh: '指派招标人代表', en: 'named the representatives' },
  'committee.draw': { zh: '随机抽取评标专家', en: 'drew the experts' },
  'committee.open-sign-in': { zh: '开始评标签到', en: 'opened the sign-in' },
  'committee.sign-in-deadline': {
    zh: '签到截止，递补缺席成员',
    en: 'closed a sign-in, replacing the absent',
  },
  'committee.sign-in': { zh: '在评标席位签到', en: 'signed in at the seat' },
  'committee.declare': { zh: '签署承诺书与回避声明', en: 'signed the declaration' },
  'committee.vote': { zh: '投票推选组长', en: 'voted for the leader' },
  'committee.name-leader': { zh: '确定评标委员会组长', en: 'named the leader' },
  'committee.read-document': { zh: '阅读投标文件', en: 'read a bid document' },
  'committee.read': { zh: '查看评标委员会', en: 'read the committee' },
  'committee.plan': { zh: '设置评审办法', en: 'set the review plan' },
  'committee.sheet': { zh: '提交评审表', en: 'submitted a review sheet' },
  'committee.save-draft': { zh: '保存评审表草稿', en: 'saved a sheet draft' },
  'committee.return-sheet': { zh: '组长退回异常评分', en: 'the leader sent a sheet back' },
  'committee.confirm-sheet': { zh: '确认原评分并说明理由', en: 'confirmed a score with reasons' },
  'committee.reopen': { zh: '组长申请重评', en: 'the leader asked to reopen a stage' },
  'committee.reopen-decision': { zh: '监督人员决定重评申请', en: 'a supervisor decided on a reopening' },
  'committee.ask': { zh: '组长拟定澄清问题', en: 'the leader drafted a clarification' },
  'committee.clarification-decision': {
    zh: '监督人员审核澄清问题',
    en: 'a supervisor decided on a clarification',
  },
  'committee.clarification-answer': { zh: '投标人答复澄清', en: 'the bidder answered a clarification' },
  'committee.clarification-deadline': { zh: '澄清答复截止', en: 'a clarification’s deadline passed' },
  'committee.time-vote-open': { zh: '组长发起评审时间表决', en: 'the leader opened a vote on the time' },
  'committee.time-vote': { zh: '表决评审时间是否不够', en: 'voted on whether the time is too short' },
  'committee.replace': { zh: '评审中替换成员', en: 'replaced a member during the review' },
  'committee.report': { zh: '生成评标报告', en: 'built the evaluation report' },
  'committee.sign-report': { zh: '签署评标报告', en: 'signed the evaluation report' },
  'committee.dissent': { zh: '提交不同意见', en: 'dissented from the report' },
  'committee.end-signing': {
    zh: '签署期结束，未表态视为同意',
    en: 'the signing window ended; silence is agreement',
  },
  'committee.export-report': { zh: '导出评标报告包', en: 'exported the report bundle' },
  'committee.publish': { zh: '公示中标候选人', en: 'published the candidates' },
  'committee.candidate-objection': { zh: '对中标候选人提出异议', en: 'objected to the candidates' },
  'committee.candidate-answer': { zh: '答复中标候选人异议', en: 'answered an objection to the candidates' },
  'committee.end-publicity': {
    zh: '公示期结束，公布评标委员会成员名单',
    en: 'publicity ended; the committee is named',
  },
  'committee.assess': { zh: '评价评标专家', en: 'assessed an expert' },
  'committee.rating-forms': { zh: '设置五方评价表', en: 'set the five-party forms' },
  'committee.rate': { zh: '提交五方评价', en: 'rated in the five-party evaluation' },
  'committee.fault': { zh: '记录评标故障并暂停', en: 'recorded a fault and suspended the evaluation' },
  'committee.resume': { zh: '故障排除后恢复评标', en: 'resumed the evaluation after a fault' },
  'committee.re-form': { zh: '故障超时，评标委员会须重新组建', en: 'the fault outlasted its limit: re-form' },
  'hall.join': { zh: '进入开标大厅', en: 'joined the hall' },
  'hall.time': { zh: '校准时间', en: 'synchronised the clock' },
  'hall.renew': { zh: '续期大厅连接', en: 'renewed the hall connection' },
  'hall.check-in': { zh: '签到', en: 'checked in' },
  'hall.recipient': { zh: '获取解密信息', en: 'fetched its decryption data' },
  'hall.self-test-challenge': { zh: '申请解密自检', en: 'asked for a decryption self-test' },
  'hall.self-test': { zh: '解密自检', en: 'ran the decryption self-test' },
  'hall.decrypt': { zh: '提交解密密钥', en: 'submitted a decryption key' },
  'hall.start-decryption': { zh: '开始解密', en: 'started decryption' },
  'hall.pause': { zh: '暂停解密计时', en: 'paused the decryption clock' },
  'hall.resume': { zh: '恢复解密计时', en: 'resumed the decryption clock' },
  'hall.extend': { zh: '延长解密时间', en: 'extended the decryption window' },
  'hall.confirm-failure': { zh: '确认流标', en: 'confirmed the failed opening' },
  'hall.cancel': { zh: '终止招标', en: 'cancelled the tender' },
  'hall.record-outage': { zh: '提议登记平台故障', en: 'proposed recording an outage' },
  'hall.settle': { zh: '提议处理未能解密的投标', en: 'proposed a settlement' },
  'hall.confirm': { zh: '确认提议', en: 'confirmed a proposal' },
  'hall.reject': { zh: '驳回提议', en: 'rejected a proposal' },
  'hall.share-fetch': { zh: '获取密钥分片', en: 'fetched a key share' },
  'hall.share-submit': { zh: '提交密钥分片', en: 'submitted a key share' },
  'hall.approve-remedy': { zh: '批准补救解密', en: 'approved the remedy' },
  'hall.reveal-seed': { zh: '公开抽取种子', en: 'revealed a draw seed' },
  'hall.announce': { zh: '唱标', en: 'read the bids' },
  'hall.open-record': { zh: '生成开标记录', en: 'produced the record' },
  'hall.sign-record': { zh: '签署开标记录', en: 'signed the record' },
  'hall.object': { zh: '提出异议', en: 'raised an objection' },
  'hall.answer': { zh: '答复异议', en: 'answered an objection' },
  'hall.close': { zh: '结束开标', en: 'closed the opening' },
  'hall.timed-step': { zh: '系统按时执行', en: 'timed step' },
  'hall.documents-decrypted': { zh: '投标文件解密完成', en: 'documents decrypted' },
  'hall.platform-fault': { zh: '平台故障', en: 'platform fault' },
  'hall.unknown-request': { zh: '未知请求', en: 'unknown request' },
} as const satisfies Readonly<Record<string, Phrase>>;

export type AuditAction = keyof typeof auditActionWords;

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(auditActionWords, action);
}
