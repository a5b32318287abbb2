/**
 * Interface text in Simplified Chinese (default) and English. Every string the page shows comes from
 * here or from the shared error catalogue, so both languages stay complete.
 */
import {
  assessmentItems,
  assessmentItemWords,
  assessmentVerdicts,
  clarificationStatuses,
  committeeStatuses,
  committeeStatusWords,
  detailText,
  type ErrorDetail,
  errorCatalogue,
  exclusionReasons,
  isDetailKey,
  isErrorCode,
  memberKinds,
  memberStates,
  openingStatuses,
  openingStatusWords,
  type Phrase,
  ratingTargets,
  remedyPolicies,
  reportStances,
  reviewStages,
  roles,
  roleWords,
  segmentIntegrities,
  sheetStatuses,
  summaryFieldTypes,
  tenderStatuses,
  tenderStatusWords,
  venueKinds,
} from '@bidhall/shared';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import {
  clarificationStatusWords,
  evaluationText,
  exclusionWords,
  memberKindWords,
  memberStateWords,
  ratingTargetWords,
  sheetStatusWords,
  stageWords,
  stanceWords,
  verdictWords,
} from './i18n-evaluation.ts';
import { linkQualities } from './link-quality.ts';

export type Language = 'zh' | 'en';

/**
 * One phrase for every member of a tuple from shared/, keyed `${prefix}_${member}`: a status added
 * there without its words here fails to compile, and `t(`status_${status}`)` needs no cast.
 */
function phrasesFor<const Prefix extends string, const Member extends string>(
  prefix: Prefix,
  members: readonly Member[],
  phrases: Readonly<Record<Member, Phrase>>,
): { readonly [M in Member as `${Prefix}_${M}`]: Phrase } {
  return Object.fromEntries(members.map((member) => [`${prefix}_${member}`, phrases[member]])) as {
    readonly [M in Member as `${Prefix}_${M}`]: Phrase;
  };
}

const text = {
  ...evaluationText,
  ...phrasesFor('committeeStatus', committeeStatuses, committeeStatusWords),
  ...phrasesFor('memberState', memberStates, memberStateWords),
  ...phrasesFor('memberKind', memberKinds, memberKindWords),
  ...phrasesFor('stage', reviewStages, stageWords),
  ...phrasesFor('sheetStatus', sheetStatuses, sheetStatusWords),
  ...phrasesFor('clarificationStatus', clarificationStatuses, clarificationStatusWords),
  ...phrasesFor('stance', reportStances, stanceWords),
  ...phrasesFor('exclusion', exclusionReasons, exclusionWords),
  ...phrasesFor('assessmentItem', assessmentItems, assessmentItemWords),
  ...phrasesFor('verdict', assessmentVerdicts, verdictWords),
  ...phrasesFor('ratingTarget', ratingTargets, ratingTargetWords),
  appName: { zh: 'bidhall 不见面开标大厅', en: 'bidhall no-show opening hall' },
  language: { zh: 'English', en: '中文' },
  loginTitle: { zh: '数字证书登录', en: 'Log in with your certificate' },
  loginHint: {
    zh: '选择您的签名证书文件（PKCS#12，.p12/.pfx）并输入证书密码。私钥只在本页面内使用，不会上传。',
    en: 'Choose your signing certificate file (PKCS#12, .p12/.pfx) and enter its PIN. The private key is used in this page only and never uploaded.',
  },
  role: { zh: '登录身份', en: 'Role' },
  ...phrasesFor('roles', roles, roleWords),
  certificateFile: { zh: '签名证书文件', en: 'Signing certificate file' },
  pin: { zh: '证书密码（PIN）', en: 'Certificate PIN' },
  logIn: { zh: '登录', en: 'Log in' },
  loggingIn: { zh: '正在验证证书…', en: 'Checking the certificate…' },
  logOut: { zh: '退出', en: 'Log out' },
  wrongPin: { zh: '证书密码错误，请重新输入', en: 'Wrong PIN; try again' },
  notPkcs12: {
    zh: '无法读取该文件：请选择 PKCS#12 证书文件（.p12/.pfx）',
    en: 'This file cannot be read: choose a PKCS#12 certificate file (.p12/.pfx)',
  },
  notSigning: {
    zh: '该证书不能用于签名登录（可能是加密证书），请选择签名证书',
    en: 'This certificate cannot sign a login (it may be an encryption certificate); choose your signing certificate',
  },
  noKey: { zh: '证书文件中没有可用的私钥', en: 'The file holds no usable private key' },
  tenders: { zh: '项目列表', en: 'Tenders' },
  noTenders: { zh: '暂无项目', en: 'No tenders yet' },
  enterHall: { zh: '进入开标大厅', en: 'Enter the opening hall' },
  deadline: { zh: '投标截止（开标）时间', en: 'Deadline (opening)' },
  serverTime: { zh: '服务器时间', en: 'Server time' },
  countdownToDeadline: { zh: '距开标', en: 'Opening in' },
  countdownWindow: { zh: '解密剩余时间', en: 'Decryption time left' },
  windowPaused: { zh: '解密计时已暂停', en: 'Decryption clock paused' },
  status: { zh: '开标状态', en: 'Opening status' },
  ...phrasesFor('status', tenderStatuses, tenderStatusWords),
  connected: { zh: '已连接', en: 'Connected' },
  reconnecting: { zh: '连接中断，正在重新连接…', en: 'Connection lost; reconnecting…' },
  checkIn: { zh: '签到', en: 'Check in' },
  checkedIn: { zh: '已签到', en: 'Checked in' },
  encryptionKey: {
    zh: '加密证书文件（用于解密投标文件）',
    en: 'Encryption certificate file (to decrypt your bid)',
  },
  loadEncryptionKey: { zh: '载入加密证书', en: 'Load encryption certificate' },
  encryptionLoaded: { zh: '加密证书已载入', en: 'Encryption certificate loaded' },
  selfTest: { zh: '解密自检', en: 'Decryption self-test' },
  selfTestHint: {
    zh: '开标前确认您当前的证书能够打开已提交的投标文件，不会泄露任何密钥。',
    en: 'Before the opening, check that your certificate opens the bid you submitted; no key is revealed.',
  },
  decrypt: { zh: '解密我的投标文件', en: 'Decrypt my bid' },
  decrypting: { zh: '正在解密…', en: 'Decrypting…' },
  decryptDone: {
    zh: '已提交解密密钥：开标一览表已打开，投标文件正在后台解密',
    en: 'Keys submitted: the summary is open, the documents are being decrypted',
  },
  bidders: { zh: '投标人', en: 'Bidders' },
  receivedAt: { zh: '递交时间', en: 'Received' },
  decryption: { zh: '解密状态', en: 'Decryption' },
  progress: { zh: '进度', en: 'Progress' },
  ...phrasesFor('opening', openingStatuses, openingStatusWords),
  biddersHidden: { zh: '开标前投标人名单保密', en: 'Bidders stay confidential until the deadline' },
  summaryTable: { zh: '开标一览表', en: 'Opening summary' },
  draw: { zh: '随机抽取', en: 'Random draw' },
  drawResult: { zh: '抽取结果', en: 'Result' },
  drawInputs: { zh: '可复核的抽取依据', en: 'Inputs anyone can recompute' },
  recompute: { zh: '在本页重新计算', en: 'Recompute here' },
  recomputedSame: { zh: '复算结果一致', en: 'Recomputed: same result' },
  recomputedDiffers: { zh: '复算结果不一致！', en: 'Recomputed: the result differs!' },
  record: { zh: '开标记录', en: 'Opening record' },
  signRecord: { zh: '签署开标记录', en: 'Sign the record' },
  signed: { zh: '已签署', en: 'Signed' },
  signedBy: { zh: '已签署', en: 'Signed by' },
  object: { zh: '提出异议', en: 'Raise an objection' },
  objectionText: { zh: '异议内容', en: 'Objection' },
  objections: { zh: '异议与答复', en: 'Objections and answers' },
  noObjections: { zh: '暂无异议', en: 'No objections' },
  answer: { zh: '答复', en: 'Answer' },
  answerText: { zh: '答复内容', en: 'Answer' },
  awaitingAnswer: { zh: '等待主持人答复', en: 'Waiting for the host’s answer' },
  timeline: { zh: '开标过程记录', en: 'Timeline' },
  send: { zh: '提交', en: 'Submit' },
  hostConsole: { zh: '主持人控制台', en: 'Host console' },
  createTender: { zh: '新建项目', en: 'New tender' },
  code: { zh: '项目编号', en: 'Code' },
  title: { zh: '项目名称', en: 'Title' },
  windowMinutes: { zh: '解密时长（分钟）', en: 'Decryption window (minutes)' },
  minBidders: { zh: '最少投标人数', en: 'Minimum bidders' },
  custodians: { zh: '密钥保管人', en: 'Custodians' },
  quorum: { zh: '开启所需人数', en: 'Quorum' },
  remedyPolicy: { zh: '补救方案', en: 'Remedy' },
  ...phrasesFor('remedy', remedyPolicies, {
    none: { zh: '无', en: 'None' },
    'custodian-quorum': { zh: '密钥保管人共同解密', en: 'Custodian quorum' },
  }),
  fields: { zh: '开标一览表字段', en: 'Summary fields' },
  create: { zh: '创建', en: 'Create' },
  startDecryption: { zh: '开始解密', en: 'Start decryption' },
  pause: { zh: '暂停解密计时', en: 'Pause the window' },
  resume: { zh: '恢复解密计时', en: 'Resume the window' },
  extend: { zh: '延长解密时间', en: 'Extend the window' },
  minutes: { zh: '分钟', en: 'minutes' },
  reason: { zh: '原因（将记入开标记录）', en: 'Reason (recorded)' },
  confirmFailure: { zh: '确认流标', en: 'Confirm the failure' },
  recordOutage: { zh: '登记平台故障', en: 'Record a platform outage' },
  proposals: { zh: '平台故障与双人确认事项', en: 'Platform faults and two-person steps' },
  proposalPending: { zh: '待另一方确认', en: 'awaiting the other party' },
  proposalWaits: { zh: '等待另一方（主持人/监督）确认', en: 'waiting for the other party (host/supervisor)' },
  proposalConfirm: { zh: '确认', en: 'Confirm' },
  proposalReject: { zh: '驳回', en: 'Reject' },
  proposalConfirmed: { zh: '已确认', en: 'confirmed' },
  proposalRejected: { zh: '已驳回', en: 'rejected' },
  settle: {
    zh: '平台原因结案（无法解密的投标视为撤回）',
    en: 'Settle: bids that cannot be opened count as withdrawn (platform fault)',
  },
  settleHint: {
    zh: '解密时间已结束且仍有投标文件无法完成解密（补救无法完成或平台故障持续）时使用；须由主持人和监督人员中的另一方确认。',
    en: 'For when the window has ended and bids still cannot be opened (the remedy cannot be completed, a platform fault persists). The other of host and supervisor must confirm.',
  },
  notOwnBid: {
    zh: '平台发来的解密信息与您签名递交的投标文件不符，页面未解开任何密钥；请联系交易中心并告知监督人员',
    en: 'What the platform sent does not match the bid you signed and submitted: no key was unwrapped. Tell the centre and the supervisors',
  },
  unboundBid: {
    zh: '此投标文件封装时未记录接收者摘要，页面无法核对；请使用命令行 bidhall hall join --sealed <投标文件目录> 解密',
    en: 'This bid was sealed without recipient hashes, which the page cannot check: decrypt with bidhall hall join --sealed <folder>',
  },
  platformFault: { zh: '平台故障（非投标人责任）', en: 'Platform fault (not the bidder’s)' },
  announce: { zh: '唱标（公布开标一览表）', en: 'Read the bids' },
  openRecord: { zh: '生成开标记录', en: 'Produce the record' },
  close: { zh: '结束开标', en: 'Close the opening' },
  exportRecord: { zh: '下载开标记录包', en: 'Download the record bundle' },
  supervisorView: { zh: '监督视图（只读）', en: 'Supervisor view (read-only)' },
  auditFeed: { zh: '审计日志', en: 'Audit log' },
  verifyAudit: { zh: '校验审计链', en: 'Verify the audit chain' },
  verifyRecord: { zh: '校验开标记录包', en: 'Verify the record bundle' },
  approveRemedy: { zh: '批准补救解密', en: 'Approve the remedy' },
  custodianPage: { zh: '密钥保管人', en: 'Key custodian' },
  custodianHint: {
    zh: '平台故障导致部分投标未能解密时，请载入您的加密证书，在本页解开您保管的密钥分片并提交。',
    en: 'When bids could not be decrypted because of the platform, load your encryption certificate, unseal your key share here and submit it.',
  },
  submitShare: { zh: '解开并提交我的密钥分片', en: 'Unseal and submit my share' },
  shares: { zh: '已提交分片', en: 'Shares received' },
  remedyNotNeeded: { zh: '当前无需补救', en: 'No remedy under way' },
  secondTab: {
    zh: '您已在另一个标签页打开了本开标大厅。两个页面都会同步显示，但请只在一个页面中操作。',
    en: 'You have this hall open in another tab too. Both stay in sync, but act from one of them only.',
  },
  loading: { zh: '正在加载…', en: 'Loading…' },
  connecting: { zh: '正在连接…', en: 'Connecting…' },
  skipToContent: { zh: '跳到正文', en: 'Skip to content' },
  demoHint: {
    zh: '演示：证书在 certs/out/actors/<名称>/sign.p12，密码 123456（投标人 bidder1，主持人 host，监督 supervisor）。',
    en: 'Demo: certificates are in certs/out/actors/<name>/sign.p12, PIN 123456 (bidder1, host, supervisor).',
  },
  notRsa: {
    zh: '浏览器中暂只支持 RSA 证书；SM2/ECC 证书请使用命令行客户端（bidhall hall join）',
    en: 'Only RSA certificates work in the browser for now; use the command line (bidhall hall join) for SM2/ECC ones',
  },
  notRecipient: {
    zh: '该加密证书不是本投标文件的接收者：请载入投标时使用的加密证书',
    en: 'This encryption certificate is not a recipient of your bid: load the one you sealed it with',
  },
  decryptFailed: { zh: '解密失败：密钥与文件不匹配', en: 'Decryption failed: the key does not fit the file' },
  notEncryption: {
    zh: '该证书不能用于解密（可能是签名证书），请选择加密证书',
    en: 'This certificate cannot decrypt (it may be the signing one); choose your encryption certificate',
  },
  openConsole: { zh: '进入控制台', en: 'Open the console' },
  created: { zh: '项目已创建', en: 'Tender created' },
  checkInMinutes: { zh: '提前签到时间（分钟）', en: 'Check-in opens (minutes before)' },
  fieldKey: { zh: '字段代码', en: 'Key' },
  labelZh: { zh: '中文名称', en: 'Chinese label' },
  labelEn: { zh: '英文名称', en: 'English label' },
  fieldType: { zh: '类型', en: 'Type' },
  ...phrasesFor('fieldType', summaryFieldTypes, {
    money: { zh: '金额（元）', en: 'Money (CNY)' },
    decimal: { zh: '小数', en: 'Decimal' },
    integer: { zh: '整数', en: 'Whole number' },
    text: { zh: '文字', en: 'Text' },
    percent: { zh: '百分比', en: 'Percent' },
    days: { zh: '天数', en: 'Days' },
  }),
  required: { zh: '必填', en: 'Required' },
  remove: { zh: '删除', en: 'Remove' },
  addField: { zh: '添加字段', en: 'Add a field' },
  drawOptionsHint: {
    zh: '抽取选项（用逗号分隔；留空则不抽取）',
    en: 'Options to draw from (comma-separated; leave empty for no draw)',
  },
  noBids: { zh: '没有有效投标', en: 'No valid bids' },
  checkedInCount: { zh: '已签到人数', en: 'Checked in' },
  bidder: { zh: '投标人', en: 'Bidder' },
  drawPending: { zh: '唱标后公布', en: 'Published when the bids are read' },
  drawOptions: { zh: '选项', en: 'Options' },
  serverSeedCommitment: {
    zh: '平台种子承诺值（开标前已公布）',
    en: 'Platform seed commitment (published before)',
  },
  serverSeed: { zh: '平台种子', en: 'Platform seed' },
  commitment: { zh: '承诺值', en: 'commitment' },
  seed: { zh: '种子', en: 'seed' },
  notRevealed: { zh: '未公开（不参与计算）', en: 'not revealed (left out)' },
  drawFormula: {
    zh: '计算方法：SHA-256(平台种子 + ":" + 按字典序排列的已公开投标人种子以":"连接；无人公开时冒号后为空)，按无符号整数对选项个数取余，得到结果序号（从0开始）。投标人种子须在解密时间结束前公开，逾期未公开的不参与计算。',
    en: 'How: SHA-256(platform seed + ":" + the revealed bidder seeds, sorted, joined by ":"; nothing after the colon when none was revealed), read as an unsigned integer, modulo the number of options, gives the index (from 0). Bidder seeds count when revealed before the decryption window ends.',
  },
  windowSet: { zh: '解密计时已更新', en: 'Decryption window updated' },
  remedy: { zh: '补救解密', en: 'Remedy' },
  remedyApproved: { zh: '已批准', en: 'approved' },
  remedyOpen: { zh: '补救程序已启动，请提交您的密钥分片', en: 'The remedy is under way: submit your share' },
  shareSubmitted: { zh: '密钥分片已提交', en: 'Share submitted' },
  nothingYet: { zh: '暂无记录', en: 'Nothing yet' },
  liveVideo: { zh: '现场音视频', en: 'Live audio and video' },
  liveVideoPending: {
    zh: '主会场与分会场音视频将在此显示',
    en: 'The venues’ audio and video will show here',
  },
  videoJoin: { zh: '加入音视频', en: 'Join audio and video' },
  videoRetry: { zh: '重新连接音视频', en: 'Reconnect audio and video' },
  videoLeave: { zh: '离开音视频', en: 'Leave audio and video' },
  videoJoining: { zh: '正在连接音视频服务…', en: 'Connecting to the media service…' },
  videoReconnecting: {
    zh: '音视频连接中断，正在自动重新连接…',
    en: 'The audio/video connection dropped; reconnecting…',
  },
  videoDisconnected: {
    zh: '音视频连接已断开，请重新连接',
    en: 'The audio/video connection was lost; reconnect',
  },
  noCamera: {
    zh: '无法使用摄像头或麦克风，您仍可观看和收听',
    en: 'The camera or microphone cannot be used; you can still watch and listen',
  },
  muteMic: { zh: '关闭麦克风', en: 'Mute microphone' },
  unmuteMic: { zh: '打开麦克风', en: 'Unmute microphone' },
  cameraOffAction: { zh: '关闭摄像头', en: 'Turn camera off' },
  cameraOn: { zh: '打开摄像头', en: 'Turn camera on' },
  cameraOff: { zh: '摄像头已关闭', en: 'Camera off' },
  micOff: { zh: '静音', en: 'Muted' },
  you: { zh: '我', en: 'you' },
  chooseCamera: { zh: '摄像头', en: 'Camera' },
  chooseMicrophone: { zh: '麦克风', en: 'Microphone' },
  participant: { zh: '参会人员', en: 'Participant' },
  nobodyPublishing: { zh: '暂无其他人的画面', en: 'Nobody else is on camera yet' },
  connectionQuality: { zh: '连接质量', en: 'Connection quality' },
  ...phrasesFor('quality', linkQualities, {
    good: { zh: '信号良好', en: 'Good link' },
    fair: { zh: '信号一般', en: 'Fair link' },
    poor: { zh: '信号较差', en: 'Poor link' },
    unknown: { zh: '信号检测中', en: 'Checking link' },
  }),
  evaluations: { zh: '我的评标会议', en: 'My evaluations' },
  noEvaluations: { zh: '暂无评标会议', en: 'No evaluations yet' },
  enterEvaluation: { zh: '进入评标会场', en: 'Enter the venue' },
  mainVenue: { zh: '主会场', en: 'Main venue' },
  subVenue: { zh: '分会场', en: 'Sub venue' },
  supervisorWall: { zh: '监控墙', en: 'Supervision wall' },
  supervisorWallHint: {
    zh: '所有开标大厅与评标会场的实时画面；您观看时他人不会看到您。',
    en: 'Every opening hall and evaluation venue live; nobody sees that you watch.',
  },
  resealNeeded: {
    zh: '已递交的投标须按新的开标一览表或开标证书重新加密并上传（替换原投标），否则开标时按无效处理',
    en: 'bids already submitted must be sealed and uploaded again for the new summary or opening certificate (replacing the old bid), or they are invalid at the opening',
  },
  confirmSummaryChange: {
    zh: '修改开标一览表或密钥保管人（将生成新的开标证书）后，已递交投标的投标人须重新加密并上传投标文件，未重新上传的投标在开标时按无效处理。确定修改？',
    en: 'After the opening summary or the custodians change (a new opening certificate), every bidder who has bid must seal and upload its bid again; a bid not uploaded again is invalid at the opening. Change it?',
  },
  resealMine: {
    zh: '招标项目的开标一览表或开标证书已变更：请按新版本重新加密投标文件，并在截止前上传以替换本投标，否则开标时本投标按无效处理。',
    en: 'The tender’s opening summary or opening certificate changed: seal your bid again for the new version and upload it before the deadline to replace this one, or it is invalid at the opening.',
  },
  recordRecordings: {
    zh: '开标录像（截至生成记录时）',
    en: 'Recordings of the opening (when the record was made)',
  },
  recordingStarted: { zh: '开标过程开始录像', en: 'The opening is being recorded' },
  recordingStopped: {
    zh: '录像中断：开标过程未在录像',
    en: 'Recording stopped: the opening is not being recorded',
  },
  unrecordedAlarm: {
    zh: '本场开标未在录像：开标过程须全程录音录像（财政部87号令第39条）。请主持人开启摄像头。',
    en: 'This opening is not being recorded: the whole opening must be recorded (MoF Order 87, Art 39). The host must turn the camera on.',
  },
  unrecordedHost: {
    zh: '开标过程未在录像：您的摄像头画面就是开标录像，请保持本页面打开并开启摄像头。',
    en: 'The opening is not being recorded: your camera is the opening’s recording; keep this page open with the camera on.',
  },
  shareScreen: { zh: '共享控制台画面', en: 'Share the console screen' },
  stopScreen: { zh: '停止共享画面', en: 'Stop sharing the screen' },
  screenTile: { zh: '屏幕', en: 'screen' },
  screenNotShared: {
    zh: '未能共享屏幕：浏览器未允许或已取消',
    en: 'The screen was not shared: the browser refused or it was cancelled',
  },
  wallEvaluation: { zh: '评标会议', en: 'Evaluation' },
  noVenues: { zh: '当前没有进行中的会场', en: 'No venue is in session' },
  ...phrasesFor('venueKind', venueKinds, {
    hall: { zh: '开标大厅', en: 'Opening hall' },
    main: { zh: '主会场', en: 'Main venue' },
    sub: { zh: '分会场', en: 'Sub venue' },
  }),
  playback: { zh: '录像回放', en: 'Recordings' },
  chooseRoom: { zh: '选择会场', en: 'Choose a room' },
  segments: { zh: '录像片段', en: 'Recorded segments' },
  noRecordings: { zh: '暂无录像', en: 'No recordings yet' },
  ...phrasesFor('integrity', segmentIntegrities, {
    intact: { zh: '完整（与审计日志一致）', en: 'Intact (matches the audit log)' },
    tampered: { zh: '已被篡改', en: 'Tampered' },
    missing: { zh: '文件缺失', en: 'Missing' },
  }),
  play: { zh: '播放', en: 'Play' },
  auditSeq: { zh: '审计序号', en: 'audit entry' },
  auditTimeline: { zh: '审计时间线', en: 'Audit timeline' },
  refresh: { zh: '刷新', en: 'Refresh' },
  mainVenueCity: { zh: '主会场城市（拼音）', en: 'Main venue city' },
  myBid: { zh: '我的投标', en: 'My bid' },
  bidReceived: { zh: '投标文件已递交，递交时间', en: 'Your bid was received at' },
  noBidHere: { zh: '您在本项目没有有效投标', en: 'You have no valid bid in this tender' },
  uploadBid: { zh: '递交投标文件', en: 'Submit your sealed bid' },
  uploadHint: {
    zh: '选择 bidhall bid seal 生成的文件夹中的四个文件（manifest.json、manifest.p7s、summary.p7m、documents.p7m）',
    en: 'Pick the four files of the folder written by bidhall bid seal (manifest.json, manifest.p7s, summary.p7m, documents.p7m)',
  },
  missingFiles: { zh: '缺少文件', en: 'Missing files' },
  upload: { zh: '递交', en: 'Submit' },
  uploading: { zh: '正在上传…', en: 'Uploading…' },
  bidUploaded: { zh: '投标文件已递交，回执已签发', en: 'Bid received; a signed receipt was issued' },
  encryptionFile: { zh: '加密证书文件（.p12）', en: 'Encryption certificate file (.p12)' },
  loadEncryptionFirst: { zh: '请先载入加密证书', en: 'Load your encryption certificate first' },
  selfTestPassed: { zh: '自检通过。', en: 'Self-test passed.' },
  decryptStepFetch: { zh: '正在获取密钥信封…', en: 'Fetching the key envelopes…' },
  decryptStepSummary: { zh: '正在解密开标一览表密钥…', en: 'Unwrapping the summary key…' },
  decryptStepDocuments: { zh: '正在解密投标文件密钥…', en: 'Unwrapping the documents key…' },
  documentsProgress: { zh: '投标文件解密进度', en: 'Documents decryption' },
  revealSeed: { zh: '公开我的抽取种子', en: 'Reveal my draw seed' },
  seedHint: { zh: '抽取种子（64位十六进制）', en: 'Draw seed (64 hex digits)' },
  seedRevealed: { zh: '种子已公开', en: 'Seed revealed' },
  recordSigned: { zh: '已签署开标记录', en: 'Record signed' },
  objectionRaised: { zh: '异议已提交，请等待主持人答复', en: 'Objection raised; the host will answer' },
  objectionHint: {
    zh: '对开标过程或结果有异议的，请当场提出，主持人将当场答复并记入开标记录。',
    en: 'Raise any objection now: the host answers on the spot and both go into the record.',
  },
  outageFrom: { zh: '故障开始', en: 'Outage from' },
  outageTo: { zh: '故障结束', en: 'Outage until' },
  downloaded: { zh: '已下载', en: 'Downloaded' },
  checks: { zh: '核验', en: 'Checks' },
  chainIntact: { zh: '审计链完整', en: 'The audit chain is intact' },
  chainBroken: { zh: '审计链被破坏', en: 'The audit chain is broken' },
  bundleIntact: { zh: '开标记录包校验通过', en: 'The record bundle verifies' },
  bundleBroken: { zh: '开标记录包校验失败', en: 'The record bundle does not verify' },
  unsigned: { zh: '未签署', en: 'Unsigned' },
  unanswered: { zh: '未答复', en: 'unanswered' },
  hashMismatch: { zh: '哈希不符', en: 'hash mismatch' },
  ...phrasesFor('hostHint', tenderStatuses, {
    scheduled: { zh: '签到尚未开始。', en: 'Check-in has not opened yet.' },
    'check-in': {
      zh: '签到中：投标截止后系统自动开标。',
      en: 'Check-in is open: the bids open by themselves at the deadline.',
    },
    opened: {
      zh: '已开标：有效投标达到最少人数时开始解密，否则确认流标并说明原因。',
      en: 'Opened: start decryption if there are enough bids, otherwise confirm the failure and say why.',
    },
    decrypting: {
      zh: '解密中：全部解密或解密时间结束后唱标；如遇故障可暂停、延长并登记。',
      en: 'Decrypting: read the bids once all are decrypted or the window has ended; pause, extend or record an outage if needed.',
    },
    announced: {
      zh: '已唱标：生成开标记录供投标人确认。',
      en: 'Bids read: produce the record for the bidders to confirm.',
    },
    confirming: {
      zh: '确认中：答复全部异议后结束开标，并下载开标记录包。',
      en: 'Confirming: answer every objection, then close and download the record bundle.',
    },
    closed: { zh: '开标已结束。', en: 'The opening is closed.' },
    failed: { zh: '本项目已流标。', en: 'This opening failed.' },
    cancelled: {
      zh: '本项目已终止招标，投标文件保持密封。',
      en: 'This tender was cancelled; its bids stay sealed.',
    },
  }),
  openedAt: { zh: '开标时间', en: 'Opened at' },
  decryptionStartedAt: { zh: '开始解密时间', en: 'Decryption started' },
  announcedAt: { zh: '唱标时间', en: 'Bids read at' },
  documentsHash: { zh: '投标文件摘要（SHA-256）', en: 'Documents SHA-256' },
  tenderee: { zh: '招标人', en: 'Tenderee' },
  lot: { zh: '标段', en: 'Lot' },
  ceilingPrice: { zh: '最高投标限价（元）', en: 'Ceiling price (CNY)' },
  ceilingPriceHint: {
    zh: '可不填；填写时以元为单位，最多两位小数，如 12860000.00',
    en: 'Optional; in yuan with at most two decimals, e.g. 12860000.00',
  },
  openingVenue: { zh: '开标地点', en: 'Opening place' },
  agency: { zh: '招标代理机构', en: 'Agency' },
  hostName: { zh: '主持人', en: 'Host' },
  supervisorNames: { zh: '监督人', en: 'Supervisors' },
  checkIns: { zh: '签到情况', en: 'Check-ins' },
  signWaitsForAnswers: {
    zh: '尚有 {count} 条异议未答复：请待主持人答复后签署；如需现在签署，签署记录将注明这些未答复的异议。',
    en: '{count} objection(s) are not answered yet: sign once they are, or sign now and the record of your signature lists them.',
  },
  signWithOpenObjections: { zh: '注明未答复异议后签署', en: 'Sign, listing the open objections' },
  auditActor: { zh: '操作人', en: 'Who' },
  auditAction: { zh: '操作', en: 'Action' },
  auditOutcome: { zh: '结果', en: 'Outcome' },
  auditSince: { zh: '起始时间', en: 'From' },
  auditOk: { zh: '成功', en: 'Done' },
  auditRefused: { zh: '被拒绝', en: 'Refused' },
  all: { zh: '全部', en: 'All' },
  auditExportCsv: { zh: '导出表格（CSV）', en: 'Export as a spreadsheet (CSV)' },
  auditExportJson: { zh: '导出可校验 JSON', en: 'Export the verifiable JSON' },
  auditExported: { zh: '已导出', en: 'Exported' },
  windowStarted: { zh: '开始计时', en: 'started' },
  windowEnded: { zh: '解密时间结束', en: 'the window ended' },
  changeEncryptionKey: { zh: '更换', en: 'Change' },
  notOwnEncryption: {
    zh: '“{name}”的加密证书不属于当前登录的单位（{owner}），请选择本单位的加密证书',
    en: 'The encryption certificate of "{name}" is not that of {owner}, who is logged in: choose your own',
  },
  waitingForDecryption: {
    zh: '已开标：请等待主持人开始解密，届时“解密”按钮可用。',
    en: 'The bids are open: wait for the host to start decryption; the Decrypt button appears then.',
  },
  leaveLiveHall: {
    zh: '开标正在进行，离开本页将断开连接（主持人离开将中断直播）。确定离开？',
    en: 'The opening is live: leaving this page disconnects you (the host leaving stops the broadcast). Leave?',
  },
  cancelTender: { zh: '终止招标', en: 'Cancel the tender' },
  cancelTenderHint: {
    zh: '仅可在投标截止前终止。已递交的投标文件保持密封，不向任何人公开；已投标单位将在开标大厅收到通知。',
    en: 'Only before the deadline. Bids already received stay sealed and are released to nobody; bidders in the hall are told.',
  },
  tenderCancelled: {
    zh: '本项目已终止招标，原因：{reason}。您的投标文件保持密封，不会被解密或公开。',
    en: 'This tender was cancelled: {reason}. Your bid stays sealed; it will not be decrypted or shown to anyone.',
  },
  tenderChanged: { zh: '主持人修改了招标项目', en: 'The host changed the tender' },
  editTender: { zh: '修改招标项目', en: 'Change the tender' },
  saveChanges: { zh: '保存修改', en: 'Save the changes' },
  changesSaved: { zh: '修改已保存并通知投标人', en: 'Saved; the bidders are told' },
  editTenderHint: {
    zh: '投标截止前可修改文字信息、时间、开标一览表字段和密钥保管人；修改一览表字段或保管人（生成新的开标证书）后，已投标单位须重新加密上传。每次修改都会记入审计日志并通知投标人。',
    en: 'Before the deadline the words, times, summary fields and custodians can change; after a summary or custodian change (a new opening certificate), bidders who have bid must seal and upload again. Every change is audited and announced to bidders.',
  },
  shortBiddingPeriod: {
    zh: '投标截止距今仅 {days} 天，少于依法必须招标项目要求的 20 日（招标投标法第二十四条）。确定按此时间创建？',
    en: 'The deadline is only {days} days away, less than the 20 days the law requires for mandatory tenders (Tendering Law Art 24). Create it anyway?',
  },
  advanced: { zh: '高级设置', en: 'Advanced' },
  fieldKeyHint: {
    zh: '投标人密封文件中该字段的代码：小写字母开头，只含字母、数字和下划线，最长 40 个字符。',
    en: 'The field’s code in the bidders’ sealed files: starts with a lower-case letter; letters, digits and underscores; at most 40.',
  },
  printRecord: { zh: '打印开标记录', en: 'Print the record' },
  recordTitle: { zh: '开标记录表', en: 'Opening record' },
  signedText: { zh: '签署的原文（规范化 JSON）', en: 'The exact text signed (canonical JSON)' },
  done: { zh: '完成', en: 'Done' },
  ok: { zh: '通过', en: 'Passed' },
  failedCheck: { zh: '未通过', en: 'Failed' },
  auditSealed: {
    zh: '开标前保密：{count} 条投标人相关记录暂不显示（仍在哈希链中），开标后公开',
    en: '{count} entries about bidders are sealed until the bids are opened (they stay in the hash chain)',
  },
} as const;

export type TextKey = keyof typeof text;

interface I18n {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  /** The text for `key` in the current language, with `{name}` placeholders filled from `params`. */
  readonly t: (key: TextKey, params?: Readonly<Record<string, string | number>>) => string;
  /**
   * The message for a server error in the current language: the code's words and, when the server sent
   * one, its detail in the same language. `fields` names request fields ("/draw/options") as the page
   * labels them. In Chinese, an English-only message from the server is not shown.
   */
  readonly error: (error: unknown, fields?: Readonly<Record<string, string>>) => string;
}

const Context = createContext<I18n | null>(null);

/** A page's label for a request field: the longest labelled prefix of its path ("/draw/options/3"). */
function fieldLabel(path: string, fields: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!fields) return undefined;
  for (let prefix = path; prefix; prefix = prefix.slice(0, prefix.lastIndexOf('/')))
    if (fields[prefix]) return fields[prefix];
  return undefined;
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguage] = useState<Language>(() =>
    (localStorage.getItem('bidhall.language') as Language | null) === 'en' ? 'en' : 'zh',
  );
  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage: (next) => {
        localStorage.setItem('bidhall.language', next);
        document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
        setLanguage(next);
      },
      t: (key, params) =>
        params
          ? text[key][language].replace(/\{(\w+)\}/g, (match, name: string) => String(params[name] ?? match))
          : text[key][language],
      error: (error, fields) => {
        const code = (error as { code?: unknown }).code;
        if (isErrorCode(code)) {
          const detail = (error as { detail?: ErrorDetail }).detail;
          let specific = '';
          if (detail && isDetailKey(detail.key)) {
            const field = detail.params?.field;
            const label = typeof field === 'string' ? fieldLabel(field, fields) : undefined;
            specific = detailText(
              label ? { ...detail, params: { ...detail.params, field: label } } : detail,
              language,
            );
          } else if (language === 'en') {
            specific = (error as { message?: string }).message?.replace(/^[A-Z_]+: /, '') ?? '';
          }
          return `${errorCatalogue[code][language]}${specific ? ` — ${specific}` : ''}`;
        }
        return error instanceof Error ? error.message : String(error);
      },
    }),
    [language],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(Context);
  if (!context) throw new Error('useI18n outside I18nProvider');
  return context;
}
