"""Everything the bot says, in Chinese and English, with the courtesy scripts of R12."""

from __future__ import annotations

from bot.config import get_settings

TEXTS: dict[str, dict[str, str]] = {
    "greet": {
        "zh": "您好!{company},工号{agent_id}客服。请问有什么可以帮您?您可以报修、报告漏水、咨询缴费或提出投诉。",
        "en": "Hello! This is {company_en}, agent {agent_id}. How can I help you? You can report a fault or a leak, ask about your bill, or make a complaint.",
    },
    "help": {
        "zh": "我可以帮您:① 报修(暖气不热、异响、阀门坏了等)② 报告漏水(暖气片、管道、阀门漏水或冒汽)③ 咨询采暖费 ④ 投诉或举报。查询进度请发送工单编号,例如“HL-4F7K2P 怎么样了”。如需匿名,请说“我要匿名”。",
        "en": "I can help you: (1) report a heating fault (cold radiator, noise, broken valve), (2) report a leak (radiator, pipe or valve leaking or steaming), (3) answer billing questions, (4) take a complaint or a report of misconduct. To check a report, send its code, e.g. \"status of HL-4F7K2P\". To stay anonymous, say \"I want to stay anonymous\".",
    },
    "goodbye": {"zh": "感谢您的来电,祝您生活愉快,再见!", "en": "Thank you for contacting us. Goodbye!"},
    "thank": {"zh": "不客气,这是我们应该做的。还有其他需要帮助的吗?", "en": "You're welcome. Is there anything else I can help with?"},
    "out_of_scope": {
        "zh": "对不起,这个问题我帮不上忙。我是{company}的客服助手,可以帮您报修、报告漏水、咨询采暖费或受理投诉。",
        "en": "Sorry, I can't help with that. I'm the {company_en} hotline assistant: I can take a repair or leak report, answer billing questions, or take a complaint.",
    },
    "clarify": {"zh": "请问您遇到的是哪一类问题?", "en": "Which of these is your problem about?"},
    "clarify_leak_repair": {"zh": "请问是漏水,还是暖气不热?", "en": "Is something leaking, or is the heating not warm enough?"},
    "leak_safety": {
        "zh": "请注意安全:如果可以安全操作,请先关闭漏水处附近的阀门;远离电源和电器,不要触碰带电设备;可以用盆或毛巾接水。抢修人员会尽快赶到。",
        "en": "Please stay safe: if you can do it safely, close the valve next to the leak; keep away from sockets and electrical appliances; catch the water with a bucket or towels. A crew will come quickly.",
    },
    "gas_safety": {
        "zh": "闻到燃气味非常危险!请立即:不要点火、不要开关电器或电灯、不要使用手机以外的电器;打开门窗通风;离开房间到室外安全地带,并拨打燃气抢险电话 {gas_number}。",
        "en": "A smell of gas is dangerous! Right now: no flames, do not switch lights or appliances on or off; open the windows and doors; leave the flat, and from outside call the gas emergency number {gas_number}.",
    },
    "repair_selfhelp": {
        "zh": "您可以先检查:暖气片进回水阀门是否全部打开;暖气片上部冷下部热时可能有空气,可用放气阀放气。若是户内设施(如自家阀门、暖气片)需要维修,上门前工作人员会先告知是否收费。",
        "en": "Meanwhile you can check that both radiator valves are fully open; a radiator cold at the top may hold air and can be bled at its air valve. If the fault is inside your own installation, the crew will tell you before the visit whether it is paid.",
    },
    "complaint_intro": {
        "zh": "对不起,给您带来了不好的体验。我会如实记录您的意见,并交由专人处理。",
        "en": "I'm sorry for the trouble. I will record your complaint exactly and pass it to the person in charge.",
    },
    "whistle_intro": {
        "zh": "感谢您的举报。我们会严格为举报人保密,您也可以选择匿名。",
        "en": "Thank you for reporting this. We protect the identity of whistle-blowers, and you can stay anonymous.",
    },
    "billing_dispute_intro": {
        "zh": "很抱歉给您带来困扰。账单问题需要收费人员核实,我先为您登记。",
        "en": "I'm sorry about this. A billing officer needs to check your bill; let me register the case.",
    },
    "ask_address": {
        "zh": "请告诉我您的详细地址(小区、楼号、单元、房间号),例如:阳光花园3号楼2单元301。",
        "en": "Please tell me your full address (estate, building, unit, room), e.g. Sunshine Garden bldg 3 unit 2 room 301.",
    },
    "ask_address_missing": {"zh": "好的,已记下:{known}。还请告诉我{missing}。", "en": "Got it: {known}. Please also tell me the {missing}."},
    "ask_description": {"zh": "请简单描述一下发生了什么情况?", "en": "Please describe briefly what happened."},
    "ask_phone": {
        "zh": "请留下您的联系电话(手机或带区号的座机),方便工作人员回电。如不想留电话,可以说“我要匿名”。",
        "en": "Please leave a phone number (a Chinese mobile, or a landline with area code) so that we can call you back. If you prefer not to, say \"I want to stay anonymous\".",
    },
    "phone_invalid": {
        "zh": "抱歉,“{value}”不是有效的中国手机号或座机号。请重新输入,例如 13812345678 或 0533-1234567。",
        "en": "Sorry, \"{value}\" is not a valid Chinese mobile or landline number. Please try again, e.g. 13812345678 or 0533-1234567.",
    },
    "phone_needs_area_code": {
        "zh": "座机号码请加上区号,例如 0533-1234567。",
        "en": "Please add the area code to the landline number, e.g. 0533-1234567.",
    },
    "phone_not_chinese": {
        "zh": "抱歉,我们只能回拨中国的电话号码,请留一个中国手机号或座机号。",
        "en": "Sorry, we can only call back Chinese numbers; please give a Chinese mobile or landline number.",
    },
    "ask_callback_time": {"zh": "您希望我们什么时间联系您?", "en": "When would you like us to call you back?"},
    "callback_anytime": {"zh": "随时都可以", "en": "Any time"},
    "callback_morning": {"zh": "上午", "en": "Morning"},
    "callback_afternoon": {"zh": "下午", "en": "Afternoon"},
    "callback_evening": {"zh": "晚上", "en": "Evening"},
    "text_too_short": {"zh": "内容太短了,请再详细说明一下。", "en": "That's a bit short; please tell me a little more."},
    "anonymous_ok": {
        "zh": "好的,本次将匿名登记:不记录您的姓名、电话和聊天账号。登记后您会得到一个工单编号,可凭编号查询进度。",
        "en": "All right, this report will be anonymous: no name, phone or chat account is recorded. You will get a ticket code to check its progress.",
    },
    "anonymous_ask_issue": {"zh": "请问您要反映什么问题?", "en": "What would you like to report?"},
    "ask_followup_optin": {
        "zh": "您是匿名反映。48小时后需要我们在这个聊天里回访处理情况吗?我们只保存一个加密的会话标识,回访结束即删除。",
        "en": "You are reporting anonymously. Shall we follow up in this chat in 48 hours? We keep only an encrypted chat handle, deleted once the follow-up is over.",
    },
    "optin_yes": {"zh": "需要回访", "en": "Yes, follow up"},
    "optin_no": {"zh": "不需要", "en": "No, thanks"},
    "optin_unclear": {"zh": "请选择“需要回访”或“不需要”。", "en": "Please choose \"Yes, follow up\" or \"No, thanks\"."},
    "summary_optin": {"zh": "匿名回访:{value}", "en": "Anonymous follow-up: {value}"},
    "next_anonymous_followup": {"zh": "48小时后我们会在这个聊天里匿名回访。", "en": "We will follow up anonymously in this chat in 48 hours."},
    "summary_header": {"zh": "请核对以下信息:", "en": "Please check these details:"},
    "summary_category": {"zh": "类别:{value}", "en": "Type: {value}"},
    "summary_address": {"zh": "地址:{value}", "en": "Address: {value}"},
    "summary_description": {"zh": "情况:{value}", "en": "What happened: {value}"},
    "summary_phone": {"zh": "联系电话:{value}", "en": "Phone: {value}"},
    "summary_callback": {"zh": "方便联系时间:{value}", "en": "Callback time: {value}"},
    "summary_anonymous": {"zh": "匿名:是(不记录联系方式)", "en": "Anonymous: yes (no contact details kept)"},
    "summary_question": {"zh": "信息无误请点“确认提交”,需要修改请选择要改的项目。", "en": "If everything is right, press \"Confirm\"; otherwise choose what to change."},
    "confirm": {"zh": "确认提交", "en": "Confirm"},
    "cancel": {"zh": "取消", "en": "Cancel"},
    "change_address": {"zh": "改地址", "en": "Change address"},
    "change_description": {"zh": "改描述", "en": "Change description"},
    "change_phone": {"zh": "改电话", "en": "Change phone"},
    "change_callback_time": {"zh": "改联系时间", "en": "Change callback time"},
    "which_field": {"zh": "请问要修改哪一项?", "en": "Which detail should I change?"},
    "cancelled": {"zh": "好的,本次登记已取消,没有创建工单。如有需要随时找我。", "en": "OK, I've cancelled this report; no ticket was created. I'm here whenever you need me."},
    "nothing_to_cancel": {"zh": "好的。还有什么可以帮您?", "en": "All right. Anything else I can help with?"},
    "created": {"zh": "已为您登记,工单编号:{code}。", "en": "Your report is registered. Ticket code: {code}."},
    "next_leak": {"zh": "抢修人员将在30分钟内到达现场(最晚 {onsite})。", "en": "A repair crew will be on site within 30 minutes (by {onsite} at the latest)."},
    "next_repair": {
        "zh": "工作人员将在30分钟内与您电话联系约定上门时间,2小时内到达现场,24小时内修复。",
        "en": "We will call you within 30 minutes to agree a time, be on site within 2 hours, and fix it within 24 hours.",
    },
    "next_repair_anonymous": {
        "zh": "维修人员将在2小时内到达现场,24小时内修复。",
        "en": "A crew will be on site within 2 hours and fix it within 24 hours.",
    },
    "next_complaint": {"zh": "我们将在5个工作日内({due}前)给您答复。", "en": "We will answer within 5 working days (by {due})."},
    "next_whistle": {"zh": "我们将在10个工作日内({due}前)给您答复,并对举报人严格保密。", "en": "We will answer within 10 working days (by {due}), and we keep the reporter's identity confidential."},
    "next_billing": {"zh": "收费人员会核实您的账单,并在5个工作日内({due}前)给您答复。", "en": "A billing officer will check your bill and answer within 5 working days (by {due})."},
    "next_anonymous": {"zh": "请保存好工单编号,发送“{code} 怎么样了”即可查询进度。", "en": "Please keep the code; send \"status of {code}\" to check progress."},
    "next_followup": {"zh": "48小时后我们会回访,了解处理情况。", "en": "We will follow up with you 48 hours from now to see how it was handled."},
    "status_ask_code": {"zh": "请发送您的工单编号(以 HL- 开头),例如:HL-4F7K2P 怎么样了。", "en": "Please send your ticket code (it starts with HL-), e.g. \"status of HL-4F7K2P\"."},
    "status_not_found": {"zh": "抱歉,没有找到工单 {code},请核对编号。", "en": "Sorry, I found no ticket {code}; please check the code."},
    "status_line": {"zh": "工单 {code}({category}):{status},登记于 {created}。", "en": "Ticket {code} ({category}): {status}, registered {created}."},
    "your_tickets": {"zh": "您最近的工单:", "en": "Your recent tickets:"},
    "human": {
        "zh": "人工客服24小时值班,电话:{hotline}。您也可以直接告诉我情况,我会登记并转交工作人员。",
        "en": "Our staff are on duty 24 hours a day at {hotline}. You can also tell me what happened and I will register it for them.",
    },
    "billing_more": {"zh": "以上信息能解决您的问题吗?", "en": "Does this answer your question?"},
    "billing_solved": {"zh": "解决了,谢谢", "en": "Yes, thanks"},
    "billing_need_person": {"zh": "需要人工核实", "en": "I need a person"},
    "billing_unknown": {
        "zh": "关于采暖费,我可以解答:收费标准、缴费方式、缴费期限、发票、欠费和滞纳金、停暖(空房)申请、面积核对。请问您想了解哪一项?",
        "en": "About heating fees I can explain: the tariff, how to pay, the deadline, invoices, arrears and late fees, suspending heat for a vacant flat, and the billed area. Which would you like to know?",
    },
    "rasa_unavailable": {
        "zh": "抱歉,系统暂时繁忙,您的留言已保存(编号 M{message_id}),不会丢失;系统恢复后会继续为您处理。紧急漏水请拨打 {hotline}。",
        "en": "Sorry, the system is busy right now. Your message is saved (ref M{message_id}) and will not be lost; we will continue as soon as the system is back. For an urgent leak call {hotline}.",
    },
    "empty_message": {"zh": "您好像没有输入内容,请再说一遍。", "en": "Your message seems to be empty; please write it again."},
    "use_latest_buttons": {
        "zh": "抱歉,这个按钮已经失效了。请使用最新一条消息里的按钮,或者直接用文字告诉我。",
        "en": "Sorry, that button is no longer valid. Please use the buttons of the latest message, or just write to me.",
    },
    "too_long": {
        "zh": "您的留言已保存(编号 M{message_id}),但太长了({length}字),请用{limit}字以内简要说明问题。",
        "en": "Your message is saved (ref M{message_id}), but it is too long ({length} characters); please describe the problem in under {limit} characters.",
    },
    # The web chat's limits (bot/channels/web.py): a message too long to keep, one kept for a
    # chat writing faster than its pace, one refused in a flood.
    "too_long_not_kept": {
        "zh": "抱歉,您的留言太长了({length}字),没有保存。请用{limit}字以内简要说明问题后再发送。",
        "en": "Sorry, your message is too long ({length} characters) and was not kept. Please describe the problem in under {limit} characters and send it again.",
    },
    "kept_for_pace": {
        "zh": "您发得有点快,请稍等。这条留言已保存(编号 M{message_id}),不会丢失,我们会按顺序回复您。",
        "en": "You are writing a little fast; please wait a moment. This message is saved (ref M{message_id}) and will not be lost; we will answer in order.",
    },
    "wait_and_resend": {
        "zh": "您发得太快了,请等{seconds}秒。这条留言还没有保存,请到时重新发送。",
        "en": "You are sending too fast; please wait {seconds} seconds. This message was not saved yet; please send it again then.",
    },
    "error": {"zh": "对不起,处理时出了点问题,您的信息已保存。请再说一遍,或拨打 {hotline}。", "en": "Sorry, something went wrong; your message is saved. Please say it again, or call {hotline}."},
    "followup_ask": {
        "zh": "您好,打扰了,我是{company}客服,工号{agent_id}。您于{date}反映的{category}问题(工单 {code}),现在解决了吗?",
        "en": "Hello, sorry to disturb you. This is {company_en}, agent {agent_id}. Your {category} report of {date} (ticket {code}): is the problem solved now?",
    },
    "followup_reminder": {
        "zh": "您好,打扰了,再次向您回访:工单 {code} 反映的问题解决了吗?",
        "en": "Hello again, a gentle reminder about ticket {code}: is the problem solved?",
    },
    "followup_solved": {"zh": "已解决", "en": "Solved"},
    "followup_not_solved": {"zh": "还没解决", "en": "Not solved"},
    "followup_unclear": {"zh": "请问问题是否已经解决?请选择“已解决”或“还没解决”。", "en": "Is the problem solved? Please choose \"Solved\" or \"Not solved\"."},
    "ask_satisfaction": {"zh": "请您为本次服务打分:5 非常满意,1 非常不满意。", "en": "Please rate our service from 5 (very satisfied) to 1 (very dissatisfied)."},
    "satisfaction_invalid": {"zh": "请回复 1 到 5 之间的数字。", "en": "Please answer with a number from 1 to 5."},
    "ask_comment": {"zh": "还有什么意见或建议吗?没有请回复“没有”。", "en": "Any comment or suggestion? Reply \"no\" if none."},
    "no_comment": {"zh": "没有", "en": "No comment"},
    "followup_thanks": {"zh": "谢谢您的评价!工单 {code} 已结案。祝您生活愉快,再见!", "en": "Thank you for your feedback! Ticket {code} is closed. Goodbye!"},
    "followup_reopened": {
        "zh": "对不起,问题还没有解决。工单 {code} 已重新打开并提高了优先级,调度员已收到提醒,工作人员会尽快与您联系。",
        "en": "Sorry the problem isn't solved yet. Ticket {code} is reopened with a higher priority; dispatchers have been alerted and will contact you soon.",
    },
    # Photos and locations a resident sends (Telegram).
    "photo_kept": {"zh": "照片已收到,会附在您的工单上。", "en": "Photo received; it will be attached to your report."},
    "photo_too_big": {
        "zh": "抱歉,照片太大(超过 {limit_mb} MB),没有保存。请压缩后重新发送,或用文字描述情况。",
        "en": "Sorry, the photo is too large (over {limit_mb} MB) and was not kept. Please send a smaller one, or describe it in words.",
    },
    "photo_failed": {
        "zh": "抱歉,照片没有保存成功,请稍后重新发送。您写的文字不受影响。",
        "en": "Sorry, the photo could not be saved; please send it again in a moment. Anything you wrote is not affected.",
    },
    "location_kept": {
        "zh": "已收到您的位置,会和您的地址一起附在工单上。请再用文字写下小区、楼号、单元和房间号。",
        "en": "Got your location; it will be kept with your address on your report. Please also write the estate, building, unit and room.",
    },
    # The dispatchers' Telegram group: a button the workflow does not allow (bot/core/tickets/workflow.py).
    "dispatcher_refused": {
        "zh": "{code} 当前为“{current}”,不能标记为“{action}”,工单未作改动。",
        "en": "{code} is {current}; it cannot be marked \"{action}\". The ticket was not changed.",
    },
    # Outages (R10): what residents are told, and what dispatchers hear when a declaration is refused.
    "outage_notice_fault": {
        "zh": "您好,{company}通知:{area}因{reason}暂停供热,自{start}起,预计{end}恢复。对不起,给您带来不便,我们正在全力抢修。",
        "en": "Hello, this is {company_en}. Heating in {area} has stopped because of {reason} since {start}; we expect it back by {end}. We are sorry for the trouble and are working to restore it.",
    },
    "outage_notice_planned": {
        "zh": "您好,{company}通知:因{reason},{area}将于{start}至{end}暂停供热,请提前做好准备。给您带来不便,敬请谅解。",
        "en": "Hello, this is {company_en}. Because of {reason}, heating in {area} will stop from {start} to {end}. Please prepare for it; we are sorry for the trouble.",
    },
    "outage_ask_other": {
        "zh": "您的暖气不热应是这次停热造成的。请问您遇到的是别的问题吗(比如漏水)?",
        "en": "Your cold heating is most likely due to this outage. Is your problem something else (a leak, say)?",
    },
    "outage_just_no_heat": {"zh": "就是暖气不热", "en": "Just no heat"},
    "outage_something_else": {"zh": "是别的问题", "en": "Something else"},
    "outage_linked": {
        "zh": "好的,已将您的情况登记到这次停热中,编号 {code}。恢复供热时我们会通知您,并在第二天向您确认暖气是否恢复。",
        "en": "All right: your report is recorded with this outage, code {code}. We will tell you when heating is back and check with you the next day that it works.",
    },
    "outage_other_problem": {"zh": "好的,请说说您遇到的问题。", "en": "All right, please tell me about your problem."},
    "outage_restored": {
        "zh": "您好,{company}通知:{area}已于{time}恢复供热。暖气片热起来需要一段时间;如明天仍不热,请告诉我们。",
        "en": "Hello, this is {company_en}. Heating in {area} was restored at {time}. Radiators take a while to warm up; if yours is still cold tomorrow, please tell us.",
    },
    "outage_end_moved": {
        "zh": "您好,{company}通知:{area}的停热预计恢复时间改为{end}。对不起,给您带来不便。",
        "en": "Hello, this is {company_en}. Heating in {area} is now expected back by {end}. We are sorry for the trouble.",
    },
    "outage_no_area": {"zh": "请填写停热范围(至少一个小区)。", "en": "Please give the area (at least one estate)."},
    "outage_no_reason": {"zh": "请填写停热原因。", "en": "Please give the reason for the stop."},
    "outage_bad_time": {
        "zh": "时间“{value}”无法识别,请用 2026-12-01T08:00 这样的格式。",
        "en": "The time \"{value}\" is not understood; use a format like 2026-12-01T08:00.",
    },
    "outage_end_before_start": {"zh": "结束时间必须晚于开始时间。", "en": "The end must come after the start."},
    "outage_ended": {"zh": "结束时间已经过去,无需发布停热。", "en": "The end time has already passed; there is nothing to announce."},
    "outage_overlaps": {
        "zh": "{area}在这段时间已有停热 #{other}({start} 至 {end});请修改那一条,而不是再建一条。",
        "en": "{area} already has outage #{other} in that time ({start} to {end}); change that one instead of adding another.",
    },
    "outage_r10_late": {
        "zh": "计划停热超过24小时,应提前2天通知(R10);现在距开始不足2天。如确需进行,请填写原因。",
        "en": "A planned stop longer than 24 hours must be announced 2 days ahead (R10), and it starts in less than 2 days. Give a reason to proceed.",
    },
    "outage_not_found": {"zh": "没有编号为 {id} 的停热。", "en": "There is no outage {id}."},
    "outage_already_restored": {
        "zh": "停热 #{id} 已于 {time} 恢复,无需再次恢复。",
        "en": "Outage {id} was already restored at {time}.",
    },
    "outage_unknown_estate": {
        "zh": "注意:系统中还没有“{estate}”这个小区(无工单、无别名){hint}。已照常登记。",
        "en": "Note: the bot has never seen the estate \"{estate}\" (no ticket, no alias){hint}. Recorded anyway.",
    },
    "outage_close_matches": {"zh": ",是否指 {names}?", "en": "; did you mean {names}?"},
    "outage_suspected": {
        "zh": "⚠ 可能发生停热:{place} 在 {minutes} 分钟内有 {count} 户报告暖气不热。确认后请在停热页面发布。",
        "en": "⚠ Possible outage at {place}: {count} no-heat reports within {minutes} minutes. Declare it on the outages page if confirmed.",
    },
    # R7: an anonymous complaint needs no flat; the estate, or nothing, is enough.
    "ask_address_anonymous": {
        "zh": "请问是哪个小区?告诉我小区名称就可以,不需要楼号和房间号;不方便透露的话,回复“不方便”即可。",
        "en": "Which estate is it about? Its name is enough, no building or room number needed; if you would rather not say, answer \"rather not\".",
    },
    "address_not_given": {"zh": "未提供", "en": "not given"},
}

CATEGORY_NAMES = {
    "report_leak": {"zh": "漏水", "en": "leak"},
    "report_repair": {"zh": "报修", "en": "repair"},
    "billing_query": {"zh": "缴费问题", "en": "billing"},
    "complaint": {"zh": "投诉", "en": "complaint"},
}

STATUS_NAMES = {
    "new": {"zh": "已登记,等待派单", "en": "registered, awaiting dispatch"},
    "acknowledged": {"zh": "已受理", "en": "acknowledged"},
    "in_progress": {"zh": "处理中", "en": "in progress"},
    "resolved": {"zh": "已处理完毕", "en": "resolved"},
    "closed": {"zh": "已结案", "en": "closed"},
    "reopened": {"zh": "重新处理中", "en": "reopened, being handled again"},
}

FIELD_NAMES = {
    "estate": {"zh": "小区名称", "en": "estate name"},
    "building": {"zh": "楼号", "en": "building number"},
    "unit": {"zh": "单元号", "en": "unit number"},
    "room": {"zh": "房间号", "en": "room number"},
}


def say(key: str, language: str, **values: object) -> str:
    """Return the text `key` in `language` (Chinese when unknown), filled with `values`."""
    settings = get_settings()
    variants = TEXTS[key]
    template = variants.get(language) or variants["zh"]
    return template.format(
        company=settings.company_name,
        company_en=settings.company_name_en,
        agent_id=settings.agent_id,
        hotline=settings.hotline_phone,
        gas_number=settings.gas_emergency_number,
        **values,
    )


def name_of(table: dict[str, dict[str, str]], key: str, language: str) -> str:
    entry = table.get(key, {})
    return entry.get(language) or entry.get("zh") or key


def join_names(names: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
