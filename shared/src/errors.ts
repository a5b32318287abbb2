/**
 * The error catalogue: one stable machine code per failure, with its HTTP status and a message in both
 * of the interface's languages, and the catalogue of details: what exactly went wrong, with parameters,
 * in both languages too. The wire carries `{ code, message, detail? }` (HTTP body and socket acks alike);
 * clients show `errorCatalogue[code][lang]` and, when there is one, the detail in the same language —
 * never the English `message` (kept for logs and for tools) behind a Chinese one.
 */
import type { Phrase } from './words.ts';

interface ErrorInfo {
  readonly status: number;
  readonly zh: string;
  readonly en: string;
}

const e = (status: number, zh: string, en: string): ErrorInfo => ({ status, zh, en });

export const errorCatalogue = {
  // General
  VALIDATION_FAILED: e(422, '请求参数不正确', 'The request has an invalid field'),
  NOT_FOUND: e(404, '未找到', 'Not found'),
  UNAUTHENTICATED: e(401, '请先使用数字证书登录', 'Log in with your certificate first'),
  TOKEN_EXPIRED: e(401, '登录已过期，请重新登录', 'Your session has expired; log in again'),
  FORBIDDEN_ROLE: e(403, '您的角色无权执行此操作', 'Your role may not do this'),
  RATE_LIMITED: e(429, '请求过于频繁，请稍后再试', 'Too many requests; try again shortly'),
  PAYLOAD_TOO_LARGE: e(413, '数据过大', 'The request is too large'),
  INTERNAL: e(500, '服务器内部错误，请联系平台', 'Internal server error; contact the platform'),
  SERVER_BUSY: e(503, '服务器繁忙，请稍后重试', 'The server is busy; try again shortly'),
  DATABASE_UNAVAILABLE: e(
    503,
    '数据库暂时无法访问，本次操作未执行，请稍后重试',
    'The database cannot be reached; nothing was done, try again shortly',
  ),
  METRICS_FORBIDDEN: e(403, '无权读取运行指标', 'The metrics are for the platform’s monitoring only'),

  // Certificates and login
  LOGIN_CHALLENGE_UNKNOWN: e(
    401,
    '登录挑战码无效、已使用或已过期',
    'The login challenge is unknown, used or expired',
  ),
  LOGIN_SIGNATURE_INVALID: e(401, '登录签名验证失败', 'The login signature does not verify'),
  CERT_MALFORMED: e(422, '证书格式错误', 'The certificate cannot be read'),
  CERT_UNTRUSTED: e(401, '证书不是由受信任的CA签发', 'The certificate was not issued by a trusted CA'),
  CERT_EXPIRED: e(401, '证书已过期', 'The certificate has expired'),
  CERT_NOT_YET_VALID: e(401, '证书尚未生效', 'The certificate is not valid yet'),
  CERT_REVOKED: e(401, '证书已被吊销', 'The certificate has been revoked'),
  CERT_REVOCATION_UNKNOWN: e(
    401,
    '无法确认证书吊销状态（CRL缺失或过期）',
    'The revocation status cannot be established (CRL missing or stale)',
  ),
  CERT_KEY_USAGE: e(401, '证书用途不符', 'The certificate is not meant for this use (key usage)'),
  CERT_NO_IDENTITY: e(
    401,
    '证书中缺少主体标识（统一社会信用代码/证件号）',
    'The certificate carries no subject identity (serialNumber)',
  ),
  ROLE_NOT_GRANTED: e(403, '该证书未登记为此角色', 'This certificate is not registered for that role'),

  // Tenders
  TENDER_NOT_FOUND: e(404, '项目不存在', 'No such tender'),
  TENDER_INVALID: e(422, '项目参数不正确', 'The tender definition is invalid'),
  FORBIDDEN_TENDER: e(
    403,
    '该项目由其他代理机构承办，您无权操作',
    'This tender is run by another agency; you may not act on it',
  ),
  CUSTODIAN_UNKNOWN: e(422, '密钥保管人未登记', 'A custodian is not registered'),
  CUSTODIAN_NO_ENCRYPTION_CERT: e(
    422,
    '密钥保管人未登记加密证书',
    'A custodian has no registered encryption certificate',
  ),

  // Bids
  BID_LATE: e(403, '已过投标截止时间，投标未被接收', 'The bid deadline has passed; the bid was not received'),
  BID_TOO_LARGE: e(413, '投标文件超过大小限制', 'The bid file exceeds the size limit'),
  BID_MANIFEST_INVALID: e(422, '投标清单格式错误', 'The bid manifest is invalid'),
  BID_SIGNATURE_INVALID: e(422, '投标清单签名验证失败', 'The bid manifest signature does not verify'),
  BID_SIGNER_MISMATCH: e(
    403,
    '投标清单签名人与登录投标人不一致',
    'The bid manifest was signed by someone other than the logged-in bidder',
  ),
  BID_ENCRYPTION_CERT_MISMATCH: e(
    403,
    '投标清单中的加密证书不属于登录投标人',
    'The encryption certificate in the manifest belongs to someone other than the logged-in bidder',
  ),
  TENDER_CANCELLED: e(409, '该招标项目已终止，不再接收投标', 'This tender was cancelled: it takes no bids'),
  BIDS_SEALED: e(403, '投标截止前不得查看投标人名单', 'Bidders are confidential until the deadline'),
  BID_TENDER_MISMATCH: e(422, '投标文件不属于本项目', 'The bid was sealed for another tender'),
  BID_PART_MISSING: e(422, '投标文件不完整（缺少开标一览表或投标文件）', 'A bid part is missing'),
  BID_PART_MISMATCH: e(
    422,
    '上传文件与投标清单中的摘要不一致',
    'An uploaded part does not match the manifest hash or size',
  ),
  CMS_MALFORMED: e(422, '加密投标文件格式错误', 'The sealed file is not a well-formed CMS object'),
  CMS_TRUNCATED: e(422, '加密投标文件不完整（被截断）', 'The sealed file is truncated'),
  CMS_UNSUPPORTED: e(422, '加密算法不受支持', 'The sealed file uses an unsupported algorithm'),
  BID_RECIPIENT_MISSING: e(
    422,
    '投标文件未同时加密给投标人加密证书和项目开标证书',
    'The bid is not encrypted to both the bidder and the tender opening certificate',
  ),
  BID_RECIPIENT_FOREIGN: e(
    422,
    '投标文件包含无关的接收者',
    'The bid is encrypted to a recipient other than the bidder and the tender',
  ),
  BID_RECIPIENT_INVALID: e(
    422,
    '投标文件的接收者信息无效（算法、密钥长度或重复），开标证书或投标人将无法解密',
    'A recipient of the sealed file is invalid (algorithm, key size or duplicate): it could not be decrypted',
  ),
  BID_DUPLICATE: e(409, '与已提交的投标文件完全相同', 'This bid is identical to the one already submitted'),
  BID_EXISTS: e(
    409,
    '已提交投标文件；如需修改请选择替换',
    'A bid is already submitted; ask for replacement to change it',
  ),
  BID_NOT_FOUND: e(404, '没有已提交的投标文件', 'No submitted bid'),
  UPLOAD_ABORTED: e(400, '上传中断，投标未被接收', 'The upload was interrupted; the bid was not received'),
  UPLOAD_STALLED: e(408, '上传长时间无数据，已中止', 'The upload stalled and was stopped'),
  UPLOAD_TOO_MANY: e(
    429,
    '您已有投标文件正在上传，请等待其完成后再上传',
    'An upload of yours is still in progress; wait for it to finish',
  ),
  STORAGE_FULL: e(
    507,
    '平台存储空间不足，投标文件未被接收，请联系平台（非投标人责任）',
    'The platform is out of storage space; the bid was not received. Contact the platform',
  ),

  // The opening hall
  HALL_WRONG_STATE: e(403, '当前开标阶段不允许此操作', 'Not allowed at this stage of the opening'),
  HALL_NO_BID: e(403, '您在本项目中没有有效投标', 'You have no valid bid in this tender'),
  HALL_NOT_JOINED: e(403, '请先进入开标大厅', 'Join the opening hall first'),
  DECRYPT_WRONG_KEY: e(
    422,
    '解密失败：密钥不能打开此投标文件，请检查数字证书后在解密时间内重试',
    'Decryption failed: this key does not open the bid; check your certificate and retry within the window',
  ),
  DECRYPT_DONE: e(409, '该投标文件已经解密', 'This bid part is already decrypted'),
  BID_CONTENT_INVALID: e(
    422,
    '投标文件已解密但内容无效（签名人或摘要不符）',
    'The bid decrypted but its content is invalid (signer or digest mismatch)',
  ),
  SELF_TEST_UNKNOWN: e(404, '解密自检请求已过期，请重新开始', 'The self-test challenge expired; start again'),
  SHARE_INVALID: e(422, '密钥分片无效或不属于本项目', 'The key share is invalid or not for this tender'),
  SHARE_DUPLICATE: e(409, '您已提交过密钥分片', 'You have already submitted your share'),
  REMEDY_NOT_OPEN: e(403, '当前不在补救程序中', 'The remedy procedure is not under way'),
  REMEDY_QUORUM_MISSING: e(403, '密钥分片数量不足', 'Not enough key shares yet'),
  REMEDY_RESTARTED: e(
    409,
    '保存已提交密钥分片的服务器进程已停止，分片已失效，请各保管人重新提交',
    'The server process holding the submitted shares has stopped; the custodians must submit their shares again',
  ),
  RECORD_FONT_MISSING: e(
    503,
    '服务器未安装中文字体，无法生成开标记录 PDF（请安装 fonts-noto-cjk 或设置 RECORD_FONT_FILE）',
    'No CJK font is installed for the printed record (install fonts-noto-cjk or set RECORD_FONT_FILE)',
  ),
  RECORD_SIGNATURE_INVALID: e(422, '开标记录签名无效', 'The signature over the opening record is invalid'),
  OBJECTION_UNKNOWN: e(404, '异议不存在', 'No such objection'),
  PROPOSAL_UNKNOWN: e(404, '待确认事项不存在或已处理', 'No such proposal, or it was already decided'),
  PROPOSAL_SAME_PERSON: e(
    403,
    '须由另一方（主持人与监督人员互相）确认，提出人不能自行确认',
    'Another person in the other role (host or supervisor) must decide this, not its proposer',
  ),
  PLATFORM_FAULT: e(
    503,
    '平台故障：本次操作未生效，故障已记录并通知主持人和监督人员，责任不在投标人；请稍后重试',
    'A platform fault: nothing was changed; it is recorded, the host and supervisors are alerted, and it is not the bidder’s fault. Try again shortly',
  ),
  OBJECTIONS_OPEN: e(403, '尚有未答复的异议', 'Objections are still unanswered'),

  // Live audio/video
  MEDIA_TICKET_INVALID: e(401, '音视频凭证无效或已过期', 'The media ticket is invalid or expired'),
  MEDIA_FORBIDDEN: e(403, '您在该会场无权执行此音视频操作', 'You may not do this in this venue'),
  MEDIA_NOT_JOINED: e(403, '请先加入会场', 'Join the venue first'),
  MEDIA_UNKNOWN_ID: e(404, '音视频对象不存在或不属于您', 'No such transport, producer or consumer of yours'),
  MEDIA_BAD_PARAMETERS: e(422, '音视频参数无效', 'The media parameters are invalid'),
  MEDIA_LIMIT: e(429, '音视频对象数量超过限制', 'Too many transports, producers or consumers'),
  MEDIA_UNAVAILABLE: e(503, '音视频服务暂不可用，正在恢复', 'The media service is recovering; try again'),
  MEDIA_NOT_ASSIGNED: e(403, '您未被分配到该会场', 'You are not assigned to this venue'),
  MEDIA_NOT_AT_SEAT: e(
    403,
    '请在登记的评标席位（会场网络）上进入会场，不能在其他地点登录',
    'Join from a registered seat in your venue (its network), not from elsewhere',
  ),
  EVALUATION_NOT_FOUND: e(404, '评标会议不存在', 'No such evaluation'),
  EXPERTS_INVALID: e(
    422,
    '专家名单文件有误，未导入任何专家',
    'The experts file has an error: no expert was imported',
  ),
  SEAT_EXISTS: e(409, '该评标席位已登记', 'This seat is already registered'),
  COMMITTEE_NOT_FOUND: e(404, '评标委员会不存在', 'No such evaluation committee'),
  COMMITTEE_INVALID: e(422, '评标委员会的组建要求不正确', 'The committee specification is invalid'),
  COMMITTEE_WRONG_STATE: e(409, '评标当前阶段不能进行此操作', 'Not possible at this stage of the evaluation'),
  COMMITTEE_DRAW_SHORT: e(
    409,
    '回避后符合条件的专家不足，未抽取任何专家',
    'Too few eligible experts after the exclusions: nobody was drawn',
  ),
  COMMITTEE_NOT_MEMBER: e(403, '您不是该评标委员会的成员', 'You do not sit on this committee'),
  COMMITTEE_MEMBER_ENDED: e(
    403,
    '您在该评标委员会中的席位已终止（缺席或回避）',
    'Your place on this committee has ended (absent or withdrawn)',
  ),
  COMMITTEE_NOT_AT_SEAT: e(
    403,
    '评标操作只能在为您分配的评标席位（其网络）上进行',
    'Evaluation actions are only possible from the seat assigned to you (its network)',
  ),
  DECLARATION_INVALID: e(422, '承诺书与回避声明的签名无效', 'The declaration signature is invalid'),
  VOTE_INVALID: e(422, '选票无效', 'The ballot is invalid'),
  VOTE_REPEATED: e(409, '本轮您已投票', 'You have already voted in this round'),
  DOCUMENT_NOT_FOUND: e(404, '该投标文件不存在或不可阅读', 'No such bid document, or not readable'),
  REVIEW_PLAN_INVALID: e(422, '评审办法设置不正确', 'The review plan is invalid'),
  SHEET_INVALID: e(422, '评审表填写不正确，未保存', 'The review sheet is invalid: nothing was saved'),
  SHEET_SUBMITTED: e(409, '本阶段您已提交评审表', 'You have already submitted your sheet for this stage'),
  NOT_LEADER: e(403, '只有评标委员会组长可以进行此操作', 'Only the committee’s leader may do this'),
  ASSESSMENT_REPEATED: e(409, '您已对此作出过评价', 'You have already assessed or rated this'),
  RATING_INVALID: e(422, '评价表填写不正确，未保存', 'The rating does not fit its form: nothing was saved'),
  REPORT_SIGNED: e(
    409,
    '您已签署评标报告或提交了不同意见',
    'You have signed the report or dissented already',
  ),
  CLARIFICATION_NOT_FOUND: e(404, '澄清事项不存在', 'No such clarification'),
  CLARIFICATION_LATE: e(
    409,
    '已超过澄清答复截止时间，答复未被接收',
    'The answer deadline has passed: the answer was refused',
  ),
  CLARIFICATION_INVALID: e(
    422,
    '澄清答复无效，未保存',
    'The clarification answer is invalid: nothing was saved',
  ),
  EVALUATION_INVALID: e(
    422,
    '评标会议的会场或专家安排不正确',
    'The venues or expert assignments are invalid',
  ),
  RECORDING_NOT_FOUND: e(404, '录像片段不存在', 'No such recording segment'),
  RECORDING_REJECTED: e(
    422,
    '录像片段与其声明的哈希或信息不符',
    'The segment does not match its declared hash',
  ),
  RECORDING_TAMPERED: e(
    409,
    '录像片段已被篡改，与审计日志中的哈希不符',
    'The segment was altered: its hash no longer matches the audit log',
  ),
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * What exactly went wrong, in both languages; `{name}` is filled from the detail's params. A `field` param
 * is a path into the request ("/draw/options"): pages put their own label for it.
 */
export const errorDetails = {
  // A field of a request (HTTP body and query, or a realtime request), from its schema.
  fieldMissing: { zh: '请填写“{field}”', en: '{field} is required' },
  fieldUnknown: { zh: '不接受“{field}”', en: '{field} is not a field of this request' },
  fieldTooShort: { zh: '“{field}”至少 {limit} 个字符', en: '{field} needs at least {limit} characters' },
  fieldTooLong: { zh: '“{field}”最多 {limit} 个字符', en: '{field} takes at most {limit} characters' },
  fieldTooFew: { zh: '“{field}”至少需要 {limit} 项', en: '{field} needs at least {limit} items' },
  fieldTooMany: { zh: '“{field}”最多 {limit} 项', en: '{field} takes at most {limit} items' },
  fieldTooSmall: { zh: '“{field}”不能小于 {limit}', en: '{field} cannot be less than {limit}' },
  fieldTooLarge: { zh: '“{field}”不能大于 {limit}', en: '{field} cannot be more than {limit}' },
  fieldFormat: { zh: '“{field}”格式不正确', en: '{field} is not in the expected format' },
  fieldChoice: { zh: '“{field}”不是可选的值', en: '{field} is not one of the allowed values' },
  requestUnknown: { zh: '未知的请求', en: 'unknown request' },
  requestNotJson: { zh: '请求内容不是有效的 JSON', en: 'the request body is not valid JSON' },
  // The opening's steps.
  notNow: {
    zh: '开标处于“{status}”阶段，不能进行此操作',
    en: 'not allowed while the opening is {statusEn}',
  },
  bidsBelowMinimum: {
    zh: '有效投标 {count} 家，少于最少 {min} 家：请确认流标并说明原因',
    en: '{count} bid(s), fewer than the minimum {min}: confirm the failed opening and say why',
  },
  bidsMeetMinimum: {
    zh: '有效投标 {count} 家，已达到最少 {min} 家，不能流标',
    en: '{count} bids meet the minimum of {min}: the opening cannot fail',
  },
  windowNotRunning: { zh: '解密计时未在进行', en: 'the decryption window is not running' },
  windowNotPaused: { zh: '解密计时未暂停', en: 'the decryption window is not paused' },
  windowEnded: { zh: '解密时间已结束', en: 'the decryption window has already ended' },
  bidsStillOpening: {
    zh: '尚有 {count} 家投标未得出解密结果，暂不能唱标',
    en: '{count} bid(s) have no outcome yet: the bids cannot be read',
  },
  // Why a bid ended as it did (shown beside its outcome; the technical reason stays in the record).
  bidNotDecrypted: {
    zh: '投标人未在解密时间内完成解密',
    en: 'the bidder did not decrypt its bid within the window',
  },
  platformOutageWindow: {
    zh: '解密时间内发生平台故障，责任在平台',
    en: 'a platform outage during the window: the platform is at fault',
  },
  bidContentInvalid: {
    zh: '投标文件内容未通过校验（签名、加密对象或一览表与文件不符）',
    en: 'the bid’s content failed its checks: {reason}',
  },
  settledWithdrawn: {
    zh: '主持人与监督人员共同确认：因平台原因无法解密，视为撤回（{reason}）',
    en: 'host and supervisor confirmed it cannot be opened through the platform’s fault: withdrawn ({reason})',
  },
  noRecordYet: { zh: '尚未生成开标记录', en: 'there is no opening record yet' },
  deadlineNotAhead: {
    zh: '新的投标截止时间须晚于当前时间至少 {minutes} 分钟',
    en: 'the new deadline must be at least {minutes} minutes from now',
  },
  noDraw: { zh: '本项目没有随机抽取', en: 'this tender has no random draw' },
  nothingToSettle: { zh: '每份投标都已有结果，无需处理', en: 'every bid has an outcome: nothing to settle' },
  objectionsOpen: {
    zh: '尚有 {count} 条异议未答复',
    en: '{count} objection(s) have no answer yet',
  },
  signAfterAnswers: {
    zh: '尚有 {count} 条异议未答复：请待答复后签署，或注明未答复的异议后签署',
    en: '{count} objection(s) are not answered yet: sign once they are, or sign listing them',
  },
  // Seeds of the random draw, and the reading of bids.
  seedsClosed: {
    zh: '抽取种子须在解密时间结束（{endedAt}）前公开',
    en: 'draw seeds could be revealed until the decryption window ended ({endedAt})',
  },
  seedMismatch: {
    zh: '该种子与您签名的投标清单中的承诺值不符',
    en: 'this seed does not match the commitment in your signed manifest',
  },
  bidsWithoutOutcome: {
    zh: '尚有 {count} 份投标未得出最终结果（解密中，或待解密时间结束、待补救解密）',
    en: '{count} bid(s) have no final outcome yet (being decrypted, or waiting for the window to end or for the remedy)',
  },
  seedsStillOpen: {
    zh: '尚有 {count} 个抽取种子可在解密时间结束前公开',
    en: '{count} draw seed(s) may still be revealed until the decryption window ends',
  },
  recordSignatureUnreadable: {
    zh: '签名不是对本开标记录的有效 CMS 签名',
    en: 'not a valid CMS signature of this record: {reason}',
  },
  // Decryption.
  bidIsInStatus: { zh: '该投标当前为“{status}”', en: 'this bid is {statusEn}' },
  summaryTooLarge: { zh: '开标一览表内容超过大小限制', en: 'the summary is too large' },
  platformFaultNotYours: {
    zh: '平台故障，非投标人责任（已记录，监督人员可见）',
    en: 'a platform fault, not the bidder’s (recorded): {reason}',
  },
  // The custodian remedy.
  noShareHere: { zh: '您不持有本项目的密钥分片', en: 'you hold no share of this tender' },
  shareNotSigned: {
    zh: '密钥分片不是有效的签名数据',
    en: 'not a signed share: {reason}',
  },
  shareWrongSigner: { zh: '密钥分片不是由本平台签名的', en: 'the share was not signed by this platform' },
  shareNotJson: { zh: '密钥分片的内容格式不正确', en: 'the share is not JSON' },
  shareForeign: {
    zh: '该密钥分片属于其他项目或其他保管人',
    en: 'this share belongs to another tender or another custodian',
  },
  sharesReceived: {
    zh: '已收到 {received}/{quorum} 份密钥分片',
    en: '{received} of {quorum} shares received',
  },
  sharesDoNotRebuild: {
    zh: '这些分片无法重建本项目的开标密钥',
    en: 'the shares do not rebuild this tender’s opening key',
  },
  notForOpeningCertificate: {
    zh: '投标文件未加密给本项目的开标证书',
    en: 'not encrypted to the opening certificate',
  },
  // Proposals (two-person rule) and outages.
  decidedByOtherRole: {
    zh: '该提议由{proposer}提出，须由{decider}决定',
    en: 'proposed by a {proposerEn}; a {deciderEn} decides it',
  },
  outageTimes: {
    zh: '故障时段的开始不能晚于结束，也不能结束于将来',
    en: 'an outage needs from ≤ to, and cannot end in the future',
  },
  outageBeforeOpening: {
    zh: '开标中的故障时段须从开标时间（{openedAt}）或之后开始',
    en: 'an outage of the opening starts when the bids were opened ({openedAt}) or later',
  },
  bidNotOfTender: { zh: '所列投标不属于本项目', en: 'bid {bidId} is not a bid of this tender' },
  bidAlreadyFinal: {
    zh: '“{bidder}”的投标已是“{status}”',
    en: '{bidder}’s bid is already {statusEn}',
  },
  windowStillOpen: {
    zh: '解密时间尚未结束，投标人仍可解密（可暂停或延长解密时间）',
    en: 'the decryption window is still open: bidders may still decrypt (pause or extend it instead)',
  },
  // Tenders.
  deadlineTooSoon: {
    zh: '投标截止时间须晚于当前时间至少一分钟',
    en: 'deadline must be at least one minute in the future',
  },
  minBiddersLegal: {
    zh: '开标至少需要三家投标人（实施条例第44条）',
    en: 'at least three bidders are needed for an opening (实施条例 Art 44)',
  },
  summaryKeysUnique: { zh: '开标一览表的字段代码不能重复', en: 'summary field keys must be unique' },
  custodianTwice: { zh: '同一密钥保管人被列了两次', en: 'a custodian is listed twice' },
  quorumAtLeastTwo: {
    zh: '开启密钥至少需要两名保管人共同参与',
    en: 'quorum must be at least 2',
  },
  quorumAboveCustodians: {
    zh: '所需保管人数不能多于保管人总数',
    en: 'quorum cannot exceed the number of custodians',
  },
  custodianNotRegistered: { zh: '所选人员未登记为密钥保管人', en: 'no registered custodian {id}' },
  custodianWithoutEncryption: { zh: '“{name}”未登记加密证书', en: '{name} has no encryption certificate' },
  tenderCodeTaken: { zh: '项目编号“{code}”已被使用', en: 'tender code {code} is taken' },
  otherAgencysTender: {
    zh: '本项目由“{agency}”承办，您属于“{org}”',
    en: 'this tender is run by {agency}, not by {org}',
  },
  // People and logins.
  staffCannotBid: {
    zh: '“{name}”已登记为{role}：工作人员的证书不能用于投标',
    en: '"{name}" is registered as {roleEn}: a staff certificate cannot bid',
  },
  registeredCertificateOnly: {
    zh: '“{name}”须使用为{role}登记的证书登录（证书更新后请重新登记）',
    en: '"{name}" logs in as {roleEn} only with the certificate registered for it (re-register a renewed certificate)',
  },
  notRegisteredAs: { zh: '“{name}”未登记为{role}', en: '"{name}" is not registered as {roleEn}' },
  registersAtFirstLogin: {
    zh: '{role}在首次登录时自行登记，无需由平台登记',
    en: '{roleEn}s register themselves at their first login',
  },
  bidderCannotBeStaff: {
    zh: '该主体（{identity}）在本平台投标，不能被任命为工作人员',
    en: '{identity} bids on this platform and cannot be appointed',
  },
  encryptionOtherSubject: {
    zh: '加密证书与签名证书不属于同一主体',
    en: 'the encryption certificate belongs to another subject',
  },
  roleMayNot: { zh: '{role}无权执行此操作', en: 'role {roleEn} may not {action}' },
  sessionTooOld: {
    zh: '登录有效期为 {hours} 小时，请重新使用数字证书登录',
    en: 'sessions last {hours} h: log in with your certificate again',
  },
  loginNoLongerValid: { zh: '此登录已失效，请重新登录', en: 'this login is no longer valid: log in again' },
  renewSamePerson: {
    zh: '续期的登录须是同一人、同一角色',
    en: 'a renewed token must be of the same person and role',
  },
  // Audio/video and evaluations.
  noSfu: { zh: '平台未配置音视频服务器', en: 'no SFU is configured' },
  mainCityAlsoSub: {
    zh: '主会场所在城市同时被列为分会场',
    en: 'the main city is also listed as a sub venue',
  },
  noVenueForExpert: { zh: '{city} 没有会场，无法安排专家', en: 'no venue in {city} for an expert' },
  expertTwice: { zh: '同一专家被安排了两次', en: 'an expert is assigned twice' },
  notAllExperts: {
    zh: '被安排的人员须是已登记的评标专家',
    en: 'every assigned person must be a registered expert',
  },
  noVenueForSeat: { zh: '{city} 没有会场，无法登记席位网络', en: 'no venue in {city} for a seat network' },
  notANetwork: { zh: '“{cidr}”不是有效的网段', en: 'not a network: {cidr}' },
  noPlaceInVenue: { zh: '{role}不能进入该会场', en: 'a {roleEn} has no place in this venue' },
  hallNotLive: {
    zh: '开标处于“{status}”阶段，开标大厅的音视频未开放',
    en: 'the opening is {statusEn}: its hall is not live',
  },
  noSuchVenue: { zh: '该评标会议没有此会场', en: 'the evaluation has no such venue' },
  notAtSeat: {
    zh: '当前网络地址（{ip}）不在 {city} 会场的评标席位网络内',
    en: 'address {ip} is not one of {city}’s seats',
  },
  // Bid uploads (the bidder's page and `bidhall bid upload`).
  deadlinePassed: {
    zh: '投标截止时间为 {deadline}，服务器时间为 {now}',
    en: 'the deadline was {deadline}; server time is {now}',
  },
  deadlinePassedDuringUpload: {
    zh: '上传过程中已过投标截止时间（{deadline}）',
    en: 'the deadline {deadline} passed during the upload',
  },
  uploadsInProgress: {
    zh: '您尚有 {count} 个上传未完成',
    en: '{count} upload(s) of yours are still in progress',
  },
  storageFull: {
    zh: '平台存储空间不足：剩余 {freeMiB} MB，需保留 {reserveMiB} MB，本次上传 {uploadMiB} MB',
    en: '{freeMiB} MiB free; the platform keeps {reserveMiB} MiB in reserve and this upload declares {uploadMiB} MiB',
  },
  manifestFirst: {
    zh: '请先发送投标清单及其签名，再发送加密文件',
    en: 'send manifest and manifestSignature before the sealed parts',
  },
  partTwice: { zh: '“{part}”被发送了两次', en: 'part {partEn} was sent twice' },
  partUnexpected: {
    zh: '不认识的部分“{name}”（应依次为投标清单、清单签名、开标一览表、投标文件）',
    en: 'unexpected part "{name}" (expected the files manifest, manifestSignature, summary, documents in that order)',
  },
  partMissing: { zh: '缺少“{part}”', en: 'the {partEn} part is missing' },
  partTooLarge: { zh: '“{part}”超过 {limit} 字节', en: 'the {partEn} part exceeds {limit} bytes' },
  manifestNotJson: { zh: '投标清单不是有效的 JSON', en: 'the manifest is not JSON' },
  manifestField: {
    zh: '投标清单的“{field}”不符合格式要求',
    en: 'manifest {field}: {reason}',
  },
  sealedForAnotherTender: {
    zh: '该投标文件是为其他项目（{sealedFor}）加密的',
    en: 'sealed for tender {sealedFor}, uploaded to {tenderId}',
  },
  manifestSignatureUnreadable: {
    zh: '投标清单的签名无法验证',
    en: 'manifest signature: {reason}',
  },
  signedByOtherCompany: {
    zh: '投标清单由“{signer}”签名，上传者为“{bidder}”',
    en: 'signed by "{signer}" ({identity}), uploaded by "{bidder}"',
  },
  encryptionCertificateOfOther: {
    zh: '投标清单所列加密证书属于“{name}”',
    en: 'it names "{name}"',
  },
  partRecipientsDiffer: {
    zh: '“{part}”的接收者与投标清单所列不符',
    en: '{partEn}: its recipients are not the ones the manifest names (recipientInfosSha256)',
  },
  partBytesDiffer: {
    zh: '“{part}”收到 {size} 字节，与投标清单所列的 {expectedSize} 字节及其哈希不符',
    en: '{partEn}: received {size} bytes with SHA-256 {sha256}; the manifest says {expectedSize} bytes, {expectedSha256}',
  },
  recipientMissing: {
    zh: '“{part}”未加密给{who}',
    en: '{partEn}: not encrypted to {whoEn}',
  },
  recipientForeign: {
    zh: '“{part}”有 {count} 个投标人与本项目以外的接收者',
    en: '{partEn}: {count} recipient(s) other than the bidder and the tender',
  },
  recipientTwice: {
    zh: '“{part}”的接收者中{who}出现了两次',
    en: '{partEn}: {whoEn} is named twice among the recipients',
  },
  recipientProblem: {
    zh: '“{part}”中{who}的接收者信息不正确',
    en: '{partEn}, recipient {whoEn}: {reason}',
  },
  smallPartTooLarge: { zh: '“{part}”超过 {limit} 字节', en: '{partEn} exceeds {limit} bytes' },
  uploadStalled: { zh: '已有 {seconds} 秒未收到数据', en: 'no data for {seconds} s' },
  sendAsMultipart: {
    zh: '请求格式不正确：投标文件须以表单文件方式上传',
    en: 'send the bid as multipart/form-data',
  },
  // Certificates.
  chainEmpty: { zh: '证书链为空', en: 'empty certificate chain' },
  chainTooLong: { zh: '证书链过长', en: 'certificate chain too long' },
  caCannotLogIn: { zh: 'CA 根证书不能用于登录', en: 'a CA certificate cannot log in' },
  noTrustedIssuer: { zh: '“{name}”的签发机构不受信任', en: 'no trusted issuer for "{name}"' },
  certificateNotYet: { zh: '“{name}”的有效期从 {from} 开始', en: '"{name}" is valid from {from}' },
  certificateExpiredAt: { zh: '“{name}”已于 {at} 过期', en: '"{name}" expired at {at}' },
  noCurrentCrl: {
    zh: '没有“{issuer}”当前有效的证书吊销列表',
    en: 'no current CRL from "{issuer}"',
  },
  certificateRevoked: {
    zh: '“{name}”（序列号 {serial}）已被吊销',
    en: '"{name}" (serial {serial}) is revoked',
  },
  certificateUsage: {
    zh: '“{name}”的密钥用途不符合此用途',
    en: '"{name}" lacks key usage {usage}',
  },
  certificateUnreadable: { zh: '无法解析该证书', en: 'the certificate cannot be parsed' },
  noPemCertificate: { zh: '未找到 PEM 格式的证书', en: 'no PEM certificate found' },
  // Checking an exported record bundle (what changed, named).
  notABundle: {
    zh: '这不是 bidhall 开标记录包：{file}缺失或格式错误',
    en: 'not a bidhall record bundle: {file} is missing or not JSON',
  },
  bundleFormatUnknown: {
    zh: 'manifest.json 的格式“{format}”无法识别',
    en: 'manifest.json: unknown bundle format {format}',
  },
  bundleUnsigned: {
    zh: '缺少平台对清单的签名（manifest.p7s）',
    en: 'manifest.p7s (the platform signature over manifest.json) is missing',
  },
  bundleSignedByOther: {
    zh: '清单签名（manifest.p7s）由“{signer}”签署，不是平台回执证书“{platform}”',
    en: `manifest.p7s is signed by "{signer}", not by the platform's receipt certificate "{platform}"`,
  },
  bundleManifestChanged: {
    zh: '平台签名后 manifest.json 被改动，或 manifest.p7s 已损坏',
    en: 'manifest.json was changed after the platform signed it, or manifest.p7s is damaged: {reason}',
  },
  bundleFileAdded: {
    zh: '{file} 是后加入的：不在已签名的清单中',
    en: '{file} was added: it is not in the signed manifest',
  },
  bundleFileRemoved: { zh: '{file} 被删除', en: '{file} was removed' },
  reportBundleHash: {
    zh: 'report.json 与清单中的报告哈希不符',
    en: 'report.json does not match the manifest’s reportSha256',
  },
  reportBundleNoStance: { zh: '报告成员“{name}”没有签署记录', en: 'report member {name} has no stance' },
  reportBundleDissentOther: {
    zh: '{file} 不是针对本报告的不同意见',
    en: '{file} is not a dissent from this report',
  },
  bundleFileAltered: { zh: '{file} 被改动', en: '{file} was altered' },
  bundleRecordHash: {
    zh: 'record.json 与清单中的哈希（recordSha256）不符',
    en: 'record.json does not match recordSha256',
  },
  bundleRecordFormat: {
    zh: 'record.json 的格式“{format}”无法识别',
    en: 'record.json: unknown record format {format}',
  },
  bundleRecordNotCanonical: { zh: 'record.json 不是规范化 JSON', en: 'record.json is not in canonical form' },
  bundleFileNotJson: { zh: '{file} 不是有效的 JSON', en: '{file} is not JSON' },
  bundleUnanswered: {
    zh: 'objections.json：开标已结束，但有 {count} 条异议没有答复',
    en: 'objections.json: {count} objection(s) have no answer, yet the opening was closed',
  },
  bundleStaffSigner: {
    zh: '{file} 由“{signer}”签名，不是“{name}”',
    en: '{file}: signed by "{signer}", not by {name}',
  },
  bundleBidderSigner: {
    zh: '{file} 由“{signer}”签名，不是该签名所属的投标人',
    en: '{file}: signed by "{signer}", who is not the bidder listed for it',
  },
  bundleSignatureInvalid: { zh: '{file} 的签名无法验证', en: '{file}: {reason}' },
  bundleServerSeed: {
    zh: 'record.json：平台的抽取种子与其承诺值不符',
    en: 'record.json: the platform draw seed does not match its commitment',
  },
  bundleBidderSeed: {
    zh: 'record.json：“{bidder}”的抽取种子与其承诺值不符',
    en: "record.json: {bidder}'s draw seed does not match its commitment",
  },
  bundleDrawRecomputes: {
    zh: 'record.json：按记录中的输入重新计算，抽取结果应为 {recomputed}（第 {index} 项），而不是 {value}',
    en: 'record.json: the draw recomputes to {recomputed} (index {index}), not {value}',
  },
  sealedBeforeChange: {
    zh: '该投标递交后开标一览表或开标证书已变更，投标人未在截止前重新加密上传',
    en: 'the summary fields or the opening certificate changed after this bid was received, and it was not sealed and uploaded again before the deadline',
  },
  // The expert pool and the seat catalogue.
  sendAsCsv: { zh: '请以 CSV 文件（text/csv）上传专家名单', en: 'send the experts as text/csv' },
  csvLine: { zh: '第 {line} 行：{what}', en: 'line {line}: {whatEn}' },
  csvUnreadable: {
    zh: '不是可读取的 CSV（引号或分隔符不配对）',
    en: 'not readable as CSV (unbalanced quotes or separators)',
  },
  csvHeader: {
    zh: '首行须依次列出各列名称：{columns}',
    en: 'the first line must name the columns in order: {columns}',
  },
  csvColumns: { zh: '应有 {count} 列', en: 'expected {count} columns' },
  csvDuplicate: {
    zh: '与第 {earlier} 行的专家编号或证件号重复',
    en: 'the same code or ID number as line {earlier}',
  },
  identityInPool: {
    zh: '该证件号已属于专家库中编号为 {code} 的专家',
    en: 'this ID number belongs to expert {code} of the pool',
  },
  seatTaken: {
    zh: '{centre} {room} 的 {seat} 号席位已登记',
    en: 'seat {seat} of {room} at {centre} is already registered',
  },
  // The evaluation committee.
  committeeNotNow: { zh: '评标当前处于“{status}”阶段', en: 'the evaluation is {statusEn}' },
  committeeTenderNotOpened: {
    zh: '该项目尚未完成开标唱标，不能组建评标委员会',
    en: 'the tender has not been opened and read yet',
  },
  committeeExists: { zh: '该项目已组建评标委员会', en: 'the tender already has a committee' },
  committeeSizeEven: {
    zh: '评标委员会人数须为单数（现为 {size} 人）',
    en: 'the size must be odd, not {size}',
  },
  committeeRepresentativesTooMany: {
    zh: '招标人代表不得超过成员总数的三分之一（{size} 人中至多 {max} 人）',
    en: 'at most a third of the members may be representatives ({max} of {size})',
  },
  committeeQuotasSum: {
    zh: '各专业抽取人数之和（{quotas}）应等于专家人数（{experts}）',
    en: 'the quotas add up to {quotas}, not the {experts} experts needed',
  },
  committeeQuotaTwice: { zh: '专业 {specialty} 重复列出', en: 'specialty {specialty} is listed twice' },
  committeeVenueTwice: { zh: '会场城市 {city} 重复列出', en: 'venue city {city} is listed twice' },
  committeeSeatUnknown: { zh: '席位 {seat} 不在席位目录中', en: 'seat {seat} is not in the catalogue' },
  committeeSeatCity: {
    zh: '席位 {seat} 不在 {city} 的会场',
    en: 'seat {seat} is not in {city}',
  },
  committeeSeatsTooFew: {
    zh: '各会场席位共 {seats} 个，少于成员人数 {size}',
    en: 'the venues have {seats} seats for {size} members',
  },
  committeeSignInTimes: {
    zh: '签到截止时间须晚于签到开始时间，且在当前时间之后',
    en: 'sign-in must close after it opens, and in the future',
  },
  drawShort: {
    zh: '专业 {specialty} 还差 {missing} 名符合条件的专家',
    en: 'specialty {specialty} lacks {missing} eligible experts',
  },
  representativesCount: {
    zh: '应指派 {wanted} 名招标人代表，本次为 {given} 名',
    en: '{wanted} representatives are to be named, not {given}',
  },
  representativeTaken: {
    zh: '证件号 {identity} 已在该评标委员会中',
    en: 'ID number {identity} already sits on this committee',
  },
  representativesMissing: {
    zh: '招标人尚未指派全部招标人代表（还差 {missing} 名）',
    en: 'the tenderee has not named all its representatives ({missing} missing)',
  },
  notAtCommitteeSeat: {
    zh: '您的席位是 {seat}，当前地址 {address} 不在该席位网络内',
    en: 'your seat is {seat}; address {address} is not on its network',
  },
  noSeatYet: { zh: '尚未为您分配评标席位', en: 'no seat has been assigned to you yet' },
  alreadySignedIn: { zh: '您已签到', en: 'you have signed in already' },
  notSignedIn: { zh: '请先在评标席位签到', en: 'sign in at your seat first' },
  alreadyDeclared: { zh: '您已签署承诺书与回避声明', en: 'you have signed your declaration already' },
  reserveNotCalled: { zh: '您是候补专家，尚未被递补', en: 'you are a reserve and have not been called' },
  conflictNeedsStatement: {
    zh: '申请回避时须写明与投标人的利害关系',
    en: 'a conflict must be stated: say what the interest is',
  },
  declarationUnreadable: {
    zh: '签名无法读取：{reason}',
    en: 'the signature cannot be read: {reason}',
  },
  declarationSignedBySomeoneElse: {
    zh: '签名证书属于“{signer}”，不是本席位的“{name}”',
    en: 'signed by {signer}, not by {name} of this place',
  },
  voteWrongRound: { zh: '当前为第 {current} 轮投票', en: 'the current round is {current}' },
  voteNotCandidate: {
    zh: '所投对象不是本轮的候选人',
    en: 'the ballot names someone who is not a candidate of this round',
  },
  notThisTenderee: { zh: '只有该项目的招标人可以进行此操作', en: 'only this tender’s tenderee may do this' },
  leaderStays: {
    zh: '组长不能在评审中被替换，请先由委员会重新推选',
    en: 'the leader cannot be replaced during the review',
  },
  leaderByVote: { zh: '本项目的组长由成员投票推选', en: 'the leader is elected by the members' },
  leaderByTenderee: { zh: '本项目的组长由招标人确定', en: 'the tenderee names the leader' },
  leaderNotMember: { zh: '所指定的不是现任成员', en: 'the one named is not a sitting member' },
  planPointsTotal: {
    zh: '综合评分法各项分值之和（{total}）应为 100 分',
    en: 'comprehensive scoring must add up to 100 points, not {total}',
  },
  planKeyTwice: { zh: '编号“{key}”重复', en: 'key {key} is used twice' },
  planNoCriteria: { zh: '综合评分法须设置详细评审的评分因素', en: 'comprehensive scoring needs criteria' },
  planPriceField: {
    zh: '价格字段“{field}”不是本项目开标一览表的金额字段',
    en: 'price field {field} is not a money field of the opening summary',
  },
  planNoDrawnCoefficient: {
    zh: '本项目开标时未抽取数值系数，不能用于评标基准价',
    en: 'the opening drew no numeric coefficient for the benchmark',
  },
  stageNotNow: { zh: '当前评审阶段为“{stage}”', en: 'the review is at the {stageEn} stage' },
  sheetMissingMark: {
    zh: '缺少对投标 {bid} 的“{key}”的评审意见',
    en: 'no mark for {key} of bid {bid}',
  },
  sheetUnknownMark: {
    zh: '“{key}”（投标 {bid}）不属于本阶段的评审内容',
    en: '{key} of bid {bid} is not part of this stage',
  },
  sheetFailNeedsGround: {
    zh: '判定“{key}”不合格须选择否决依据并写明理由',
    en: 'a fail of {key} needs its ground and a reason',
  },
  sheetScoreOutOfRange: { zh: '“{key}”的得分应在 0 至 {max} 分之间', en: '{key} is scored from 0 to {max}' },
  sheetDeductionNeedsReason: { zh: '“{key}”扣分须写明理由', en: 'every deduction ({key}) needs a reason' },
  timeVoteOpen: { zh: '已有进行中的评审时间表决', en: 'a vote on the time is already running' },
  noTimeVote: { zh: '当前没有进行中的评审时间表决', en: 'no vote on the time is running' },
  ratingTargetNotOnForm: { zh: '您的评价表中没有对“{target}”的评价', en: 'your form does not rate {target}' },
  ratingSubject: {
    zh: '评价“{target}”须指明（且只能指明）具体对象',
    en: 'rating {target} names its subject (and only then)',
  },
  ratingMissing: { zh: '缺少“{key}”的评分', en: 'no score for {key}' },
  ratingUnknown: { zh: '“{key}”不是评价表中的项目', en: '{key} is not on the form' },
  ratingsStarted: { zh: '已有评价提交，评价表不能再修改', en: 'ratings have begun: the forms stay' },
  ratingAfterPublicity: { zh: '公示期结束后方可评价', en: 'rating opens when publicity ends' },
  publicityOver: { zh: '公示期已结束，不再受理异议', en: 'publicity is over: objections are closed' },
  objectionAnswered: { zh: '该异议已答复', en: 'the objection has been answered' },
  reopenWhich: {
    zh: '只能重评最近一个已结束的评审阶段（{stage}）',
    en: 'only the last closed stage ({stageEn}) can be reopened',
  },
  reopenPending: { zh: '已有待监督人员决定的重评申请', en: 'a reopening already waits for a supervisor' },
  reopenNone: { zh: '没有待决定的重评申请', en: 'no reopening waits for a decision' },
  clarificationNotOpen: {
    zh: '该澄清事项当前为“{status}”，不能答复',
    en: 'the clarification is {statusEn}: it cannot be answered',
  },
  clarificationDecided: { zh: '该澄清事项已有决定', en: 'the clarification has been decided' },
  clarificationBidUnknown: { zh: '该投标不在本次评审中', en: 'that bid is not under review' },
  answerUnreadable: { zh: '签名无法读取：{reason}', en: 'the signature cannot be read: {reason}' },
  answerSignedBySomeoneElse: {
    zh: '签名证书属于“{signer}”，不是投标人“{name}”',
    en: 'signed by {signer}, not by the bidder {name}',
  },
  answerFilesTooLarge: { zh: '附件合计不得超过 {mb} MB', en: 'the files may add up to {mb} MB at most' },
  sheetNotReturned: { zh: '您的评审表未被组长退回', en: 'your sheet has not been sent back' },
  sheetNotFlagged: { zh: '该成员的评审表没有异常分值', en: 'that member’s sheet has no abnormal score' },
  documentFileUnknown: { zh: '该投标文件中没有第 {index} 个文件', en: 'the package has no file {index}' },
  // The decryption self-test's outcome.
  selfTestPassed: {
    zh: '解密自检通过：您当前的证书可以打开已提交的投标文件',
    en: 'self-test passed: your key opens your bid',
  },
  selfTestKeyMismatch: {
    zh: '解密自检失败：当前证书的私钥与投标文件的加密证书不匹配',
    en: 'self-test failed: your key does not match the bid’s encryption certificate',
  },
  selfTestBidUnopenable: {
    zh: '解密自检失败：投标文件无法用当前密钥解开',
    en: 'self-test failed: your stored bid does not open with your key',
  },
  signedBySomeoneElse: {
    zh: '签名证书是“{signer}”的，不是“{name}”的',
    en: 'signed by "{signer}", not by {name}',
  },
} as const satisfies Readonly<Record<string, Phrase>>;

export type DetailKey = keyof typeof errorDetails;

export interface ErrorDetail {
  readonly key: DetailKey;
  readonly params?: Readonly<Record<string, string | number>>;
}

/** A phrase as two params, for a detail that names it: `{name}` in Chinese, `{nameEn}` in English. */
export function phraseParams(name: string, phrase: Phrase): Record<string, string> {
  return { [name]: phrase.zh, [`${name}En`]: phrase.en };
}

/** A detail in one language, its `{name}` placeholders filled (unknown ones left as they are). */
export function detailText(detail: ErrorDetail, language: 'zh' | 'en'): string {
  const params = detail.params ?? {};
  return errorDetails[detail.key][language].replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

export function isDetailKey(value: unknown): value is DetailKey {
  return typeof value === 'string' && Object.hasOwn(errorDetails, value);
}

/** One schema violation, as AJV and TypeBox both report it. */
export interface SchemaViolation {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The detail for a request that broke its schema: which field, and what rule, with its limit. */
export function violationDetail(violation: SchemaViolation | undefined): ErrorDetail {
  const base = violation?.instancePath || '';
  const params = violation?.params ?? {};
  const named = (key: DetailKey, field: string, limit?: unknown): ErrorDetail => ({
    key,
    params: limit === undefined ? { field: field || '/' } : { field: field || '/', limit: String(limit) },
  });
  switch (violation?.keyword) {
    case 'required':
      return named(
        'fieldMissing',
        `${base}/${String(params.missingProperty ?? (params.requiredProperties as string[] | undefined)?.[0] ?? '')}`,
      );
    case 'additionalProperties':
      return named(
        'fieldUnknown',
        `${base}/${String(params.additionalProperty ?? (params.additionalProperties as string[] | undefined)?.[0] ?? '')}`,
      );
    case 'minLength':
      return named('fieldTooShort', base, params.limit);
    case 'maxLength':
      return named('fieldTooLong', base, params.limit);
    case 'minItems':
      return named('fieldTooFew', base, params.limit);
    case 'maxItems':
      return named('fieldTooMany', base, params.limit);
    case 'minimum':
    case 'exclusiveMinimum':
      return named('fieldTooSmall', base, params.limit);
    case 'maximum':
    case 'exclusiveMaximum':
      return named('fieldTooLarge', base, params.limit);
    case 'enum':
    case 'const':
    case 'anyOf':
      return named('fieldChoice', base);
    default:
      return named('fieldFormat', base);
  }
}

/** The one error shape on the wire. */
export interface WireError {
  readonly code: ErrorCode;
  /** English, for logs and tools; pages show the catalogue's words and the detail instead. */
  readonly message: string;
  readonly detail?: ErrorDetail;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}
