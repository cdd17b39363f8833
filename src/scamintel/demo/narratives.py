"""Victim narrative templates in the languages reports arrive in.

A narrative is an opener for the scam type, one sentence per indicator the victim remembered,
and a sentence about the loss. ``{org}`` is the organisation the scammer claimed to be, ``{v}``
an indicator as the victim wrote it, ``{money}`` the amount lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Texts:
    # Keyed by scam type, or by "type/category" where the story depends on who was
    # impersonated (a parcel for the post, an overdue bill for the utility).
    openers: Mapping[str, tuple[str, ...]]
    sentences: Mapping[str, tuple[str, ...]]  # indicator kind (phone by channel) -> templates
    loss: tuple[str, ...]
    no_loss: tuple[str, ...]
    hotline: tuple[str, ...]
    own_phone: tuple[str, ...]


EN = Texts(
    openers={
        "officials_impersonated": (
            "A man claiming to be from {org} said my name was linked to a money-laundering case "
            "and that I had to move my money for 'verification'.",
            "The caller said he was an officer of {org} and threatened to arrest me unless I "
            "paid a fine.",
        ),
        "phishing_parcel_utility/post": (
            "I got a message from '{org}' saying my parcel was on hold and I had to pay a small "
            "fee through a link.",
        ),
        "phishing_parcel_utility/utility": (
            "A message from '{org}' said my bill was overdue and service would be cut today.",
        ),
        "phishing_parcel_utility/tax": (
            "A message from '{org}' said I had a tax refund waiting and asked me to claim it "
            "through a link.",
        ),
        "malicious_app": (
            "Someone from '{org}' told me to install an app to update my details; after that my "
            "phone was controlled remotely and money left my account.",
        ),
        "bank_impersonation": (
            "Someone pretending to be {org} staff said my account had a suspicious transaction "
            "and asked me to confirm my details and OTP.",
        ),
        "investment": (
            "I joined an investment group promising 30% a week. At first I could withdraw, then "
            "they asked for more money to 'unlock' my profit.",
            "A 'mentor' added me to a trading group. My balance on their platform kept growing "
            "but every withdrawal needed another 'tax' payment.",
        ),
        "job_task": (
            "I was offered a part-time job liking videos and completing tasks. After a few small "
            "payouts they asked me to top up for bigger tasks.",
        ),
        "loan": (
            "I applied for a quick loan online. They asked for insurance and processing fees "
            "before releasing it, and the loan never came.",
        ),
        "fake_seller": (
            "I bought an item from an online seller. After I paid, the seller stopped replying "
            "and nothing was delivered.",
        ),
        "romance": (
            "I met someone online who said they were working abroad. After weeks of chatting they "
            "asked me to invest and to help with fees.",
        ),
        "hacked_account": (
            "A friend's account messaged me asking to borrow money urgently. Later I found out "
            "the account had been hacked.",
        ),
        "prize_qr": (
            "I was told I had won a prize from {org} and had to pay tax and a delivery fee to "
            "receive it.",
        ),
        "sextortion": (
            "After a video call with a stranger, they threatened to send a recording to my "
            "contacts unless I paid.",
        ),
        "gambling_lure": (
            "I was invited to an online casino with a free bonus. I won at first but could not "
            "withdraw unless I deposited more.",
        ),
        "recovery": (
            "After losing money to a scam, a 'lawyer' contacted me promising to recover it for an "
            "upfront fee.",
        ),
        "other": ("I was cheated by someone I met online.",),
    },
    sentences={
        "call": ("They called me from {v}.", "The number that called me was {v}."),
        "sms": ("The SMS came from {v}.",),
        "whatsapp": ("They chatted with me on WhatsApp from {v}.",),
        "bank": ("I transferred the money to {v}.", "They gave me the account {v} to pay into."),
        "ewallet": ("I paid by e-wallet to {v}.",),
        "crypto": ("They told me to send USDT to {v}.",),
        "url": (
            "The link was {v} and it looked real.",
            "I entered my details at {v} before I realised.",
        ),
        "domain": ("The website {v} looked like the real one.",),
        "email": ("They emailed me from {v}.",),
        "line": ("They asked me to add LINE {v} to continue.",),
        "telegram": ("They moved the chat to Telegram {v} to continue.",),
    },
    loss=("I lost {money} in total.", "Total loss: {money}."),
    no_loss=("I did not send any money but want to warn others.",),
    hotline=("I called {v} to check and was told it was a scam.",),
    own_phone=("They called my number {v}.",),
)

TH = Texts(
    openers={
        "officials_impersonated": (
            "มีผู้ชายอ้างว่าเป็นเจ้าหน้าที่{org} บอกว่าบัญชีของฉันเกี่ยวข้องกับคดีฟอกเงิน ให้โอนเงินไปตรวจสอบ",
            "มีคนโทรมาอ้างเป็น{org} ขู่ว่าจะออกหมายจับถ้าไม่โอนเงินค่าปรับ",
        ),
        "phishing_parcel_utility/post": (
            "ได้รับข้อความอ้างว่าเป็น{org} แจ้งว่ามีพัสดุตกค้าง ให้กดลิงก์เพื่อชำระค่าธรรมเนียม",
        ),
        "phishing_parcel_utility/utility": ("ได้รับ SMS อ้างเป็น{org} ว่าค่าไฟค้างชำระและจะถูกตัดไฟวันนี้",),
        "phishing_parcel_utility/tax": (
            "ได้รับ SMS อ้างเป็น{org} แจ้งว่าได้รับเงินคืนภาษี ให้กดลิงก์เพื่อยืนยันตัวตน",
        ),
        "malicious_app": (
            "มีคนอ้างเป็นเจ้าหน้าที่{org} ให้ติดตั้งแอปเพื่ออัปเดตข้อมูล หลังจากนั้นโทรศัพท์ถูกควบคุมและเงินในบัญชีหายไป",
        ),
        "bank_impersonation": (
            "มีคนอ้างว่าเป็นพนักงาน{org} แจ้งว่าบัญชีมีธุรกรรมผิดปกติ ขอให้ยืนยันข้อมูลและรหัส OTP",
        ),
        "investment": (
            "ถูกชวนเข้ากลุ่มลงทุนที่บอกว่าได้ผลตอบแทนสูง ตอนแรกถอนได้ แต่ต่อมาให้โอนเพิ่มเพื่อปลดล็อกกำไร",
            "มีโค้ชชวนเทรดหุ้นและคริปโต ยอดในแอปเพิ่มขึ้นเรื่อย ๆ แต่ถอนไม่ได้ต้องจ่ายภาษีก่อน",
        ),
        "job_task": (
            "มีคนชวนทำงานเสริมกดไลก์และทำภารกิจ ได้เงินเล็กน้อยก่อน จากนั้นให้โอนเงินเพื่อรับภารกิจที่ใหญ่ขึ้น",
        ),
        "loan": ("สมัครกู้เงินออนไลน์ ถูกเรียกค่าประกันและค่าธรรมเนียมก่อนอนุมัติ แต่ไม่เคยได้รับเงินกู้",),
        "fake_seller": ("สั่งซื้อสินค้าออนไลน์และโอนเงินแล้ว แต่ผู้ขายบล็อกและไม่ส่งของ",),
        "romance": (
            "รู้จักกันทางออนไลน์ อีกฝ่ายบอกว่าทำงานต่างประเทศ คุยกันหลายสัปดาห์แล้วชวนลงทุน"
            "และขอให้ช่วยจ่ายค่าธรรมเนียม",
        ),
        "hacked_account": ("บัญชีของเพื่อนส่งข้อความมายืมเงินด่วน ภายหลังพบว่าบัญชีถูกแฮก",),
        "prize_qr": ("ได้รับแจ้งว่าได้รับรางวัลจาก{org} ต้องจ่ายภาษีและค่าจัดส่งก่อนรับรางวัล",),
        "sextortion": ("หลังวิดีโอคอลกับคนแปลกหน้า ถูกขู่ว่าจะส่งคลิปให้คนรู้จักถ้าไม่โอนเงิน",),
        "gambling_lure": ("ถูกชวนเล่นเว็บพนันออนไลน์ที่ให้เครดิตฟรี ชนะแล้วแต่ถอนไม่ได้ถ้าไม่ฝากเพิ่ม",),
        "recovery": ("หลังจากถูกหลอก มีคนอ้างเป็นทนายความติดต่อมาว่าจะช่วยตามเงินคืนแต่ต้องจ่ายค่าดำเนินการก่อน",),
        "other": ("ถูกคนที่รู้จักทางออนไลน์หลอกให้โอนเงิน",),
    },
    sentences={
        "call": ("โทรมาจากเบอร์ {v}", "เบอร์ที่โทรมาคือ {v}"),
        "sms": ("SMS ส่งมาจากเบอร์ {v}",),
        "whatsapp": ("ทักมาทาง WhatsApp เบอร์ {v}",),
        "bank": ("โอนเงินเข้าบัญชี {v}", "ให้โอนไปที่บัญชี {v}"),
        "ewallet": ("โอนผ่านวอลเล็ต {v}",),
        "crypto": ("ให้โอน USDT ไปที่ {v}",),
        "url": ("ลิงก์คือ {v} กดแล้วให้กรอกข้อมูล", "กดลิงก์ {v} แล้วกรอกข้อมูล"),
        "domain": ("เว็บไซต์ {v} หน้าตาเหมือนของจริง",),
        "email": ("ส่งอีเมลมาจาก {v}",),
        "line": ("ให้แอดไลน์ {v}", "ให้แอด LINE {v}"),
        "telegram": ("ให้ติดต่อทาง Telegram {v}",),
    },
    loss=("เสียเงินไปทั้งหมด {money}", "รวมความเสียหาย {money}"),
    no_loss=("ยังไม่ได้โอนเงิน แต่อยากแจ้งเตือนคนอื่น",),
    hotline=("โทรไปสอบถามที่ {v} แล้วได้รับแจ้งว่าเป็นมิจฉาชีพ",),
    own_phone=("เขาโทรเข้าเบอร์ของฉัน {v}",),
)

MS = Texts(
    openers={
        "officials_impersonated": (
            "Seorang lelaki mengaku pegawai {org} kata nama saya terlibat dalam kes pengubahan "
            "wang haram dan suruh saya pindahkan wang untuk 'semakan'.",
        ),
        "phishing_parcel_utility/post": (
            "Saya terima mesej kononnya daripada {org} bahawa bungkusan saya tertahan dan perlu "
            "bayar melalui pautan.",
        ),
        "phishing_parcel_utility/utility": (
            "Saya terima SMS kononnya daripada {org} bahawa bil saya tertunggak dan bekalan akan "
            "dipotong hari ini.",
        ),
        "phishing_parcel_utility/tax": (
            "Saya terima SMS kononnya daripada {org} bahawa saya layak menerima bayaran balik "
            "cukai melalui pautan.",
        ),
        "malicious_app": (
            "Orang yang mengaku dari {org} suruh saya pasang aplikasi untuk kemas kini maklumat, "
            "lepas itu telefon saya dikawal dan duit dalam akaun hilang.",
        ),
        "bank_impersonation": (
            "Seseorang menyamar sebagai kakitangan {org} kata ada transaksi mencurigakan dalam "
            "akaun saya dan minta sahkan butiran serta TAC.",
        ),
        "investment": (
            "Saya dimasukkan dalam kumpulan pelaburan yang janji pulangan tinggi. Mula-mula boleh "
            "keluarkan wang, kemudian diminta bayar lagi untuk 'buka' keuntungan.",
        ),
        "job_task": (
            "Saya ditawarkan kerja sambilan 'like' video dan buat tugasan. Selepas dapat bayaran "
            "kecil, saya diminta tambah nilai untuk tugasan lebih besar.",
        ),
        "loan": (
            "Saya mohon pinjaman segera dalam talian. Mereka minta yuran insurans dan proses "
            "dahulu, tetapi pinjaman tidak pernah diberi.",
        ),
        "fake_seller": (
            "Saya beli barang daripada penjual dalam talian. Selepas bayar, penjual senyap dan "
            "barang tidak sampai.",
        ),
        "romance": (
            "Saya kenal seseorang dalam talian yang kata bekerja di luar negara. Selepas beberapa "
            "minggu, dia ajak melabur dan minta bantuan bayar yuran.",
        ),
        "hacked_account": (
            "Akaun kawan saya hantar mesej nak pinjam duit segera. Rupanya akaun itu telah "
            "digodam.",
        ),
        "prize_qr": (
            "Saya dimaklumkan menang hadiah daripada {org} dan perlu bayar cukai serta kos "
            "penghantaran.",
        ),
        "sextortion": (
            "Selepas panggilan video dengan orang yang tidak dikenali, saya diugut video akan "
            "disebarkan kalau tidak bayar.",
        ),
        "gambling_lure": (
            "Saya dijemput ke laman kasino dalam talian dengan bonus percuma. Menang tetapi tidak "
            "boleh keluarkan wang tanpa deposit lagi.",
        ),
        "recovery": (
            "Selepas ditipu, seorang 'peguam' hubungi saya dan janji dapatkan semula wang saya "
            "dengan bayaran pendahuluan.",
        ),
        "other": ("Saya ditipu oleh seseorang yang saya kenal dalam talian.",),
    },
    sentences={
        "call": ("Mereka telefon saya dari nombor {v}.",),
        "sms": ("SMS itu dihantar dari {v}.",),
        "whatsapp": ("Mereka hubungi saya melalui WhatsApp {v}.",),
        "bank": ("Saya pindahkan wang ke akaun {v}.", "Mereka beri akaun {v} untuk bayaran."),
        "ewallet": ("Saya bayar melalui e-dompet {v}.",),
        "crypto": ("Mereka suruh hantar USDT ke {v}.",),
        "url": ("Pautan yang diberi ialah {v} dan nampak seperti asli.",),
        "domain": ("Laman web {v} nampak seperti yang asli.",),
        "email": ("E-mel dihantar dari {v}.",),
        "line": ("Mereka minta saya tambah LINE {v} untuk teruskan.",),
        "telegram": ("Mereka minta saya hubungi Telegram {v} untuk teruskan.",),
    },
    loss=("Saya rugi {money}.", "Jumlah kerugian {money}."),
    no_loss=("Saya belum bayar apa-apa tetapi mahu laporkan.",),
    hotline=("Saya telefon {v} untuk semak dan disahkan ini penipuan.",),
    own_phone=("Mereka telefon nombor saya {v}.",),
)

VI = Texts(
    openers={
        "officials_impersonated": (
            "Một người tự xưng là cán bộ {org} nói tôi liên quan đến vụ án rửa tiền và yêu cầu "
            "chuyển tiền để 'xác minh'.",
        ),
        "phishing_parcel_utility/post": (
            "Tôi nhận được tin nhắn giả danh {org} báo bưu kiện bị giữ và yêu cầu thanh toán qua "
            "đường link.",
        ),
        "phishing_parcel_utility/utility": (
            "Tôi nhận được tin nhắn giả danh {org} báo hóa đơn tiền điện quá hạn sẽ bị cắt điện.",
        ),
        "phishing_parcel_utility/tax": (
            "Tôi nhận được tin nhắn giả danh {org} báo được hoàn thuế và yêu cầu xác nhận qua "
            "đường link.",
        ),
        "malicious_app": (
            "Người tự xưng là nhân viên {org} bảo tôi cài ứng dụng để cập nhật thông tin, sau đó "
            "điện thoại bị chiếm quyền và tiền trong tài khoản bị mất.",
        ),
        "bank_impersonation": (
            "Có người giả danh nhân viên {org} nói tài khoản của tôi có giao dịch bất thường và "
            "đề nghị xác nhận thông tin, mã OTP.",
        ),
        "investment": (
            "Tôi được mời vào nhóm đầu tư hứa lợi nhuận cao. Lúc đầu rút được tiền, sau đó họ bắt "
            "nộp thêm để 'mở khóa' lợi nhuận.",
        ),
        "job_task": (
            "Tôi được mời làm cộng tác viên online, thả tim video và làm nhiệm vụ. Sau vài lần "
            "nhận tiền nhỏ, họ yêu cầu nạp tiền để làm nhiệm vụ lớn hơn.",
        ),
        "loan": (
            "Tôi đăng ký vay tiền online. Họ yêu cầu đóng phí bảo hiểm và phí hồ sơ trước khi "
            "giải ngân nhưng không bao giờ giải ngân.",
        ),
        "fake_seller": (
            "Tôi mua hàng online và đã chuyển khoản nhưng người bán chặn liên lạc, không giao "
            "hàng.",
        ),
        "romance": (
            "Tôi quen một người trên mạng nói đang làm việc ở nước ngoài. Sau vài tuần, người đó "
            "rủ đầu tư và nhờ đóng phí.",
        ),
        "hacked_account": (
            "Tài khoản của bạn tôi nhắn tin hỏi mượn tiền gấp. Sau đó mới biết tài khoản đó bị "
            "hack.",
        ),
        "prize_qr": (
            "Tôi được báo trúng thưởng từ {org} và phải nộp thuế, phí vận chuyển để nhận quà.",
        ),
        "sextortion": (
            "Sau một cuộc gọi video với người lạ, tôi bị đe dọa phát tán video nếu không chuyển "
            "tiền.",
        ),
        "gambling_lure": (
            "Tôi được mời chơi trang cá cược online có khuyến mãi. Thắng nhưng không rút được "
            "tiền nếu không nạp thêm.",
        ),
        "recovery": (
            "Sau khi bị lừa, có người tự xưng là luật sư liên hệ hứa lấy lại tiền nhưng đòi phí "
            "trước.",
        ),
        "other": ("Tôi bị một người quen qua mạng lừa chuyển tiền.",),
    },
    sentences={
        "call": ("Họ gọi cho tôi từ số {v}.",),
        "sms": ("Tin nhắn được gửi từ số {v}.",),
        "whatsapp": ("Họ nhắn tin qua WhatsApp số {v}.",),
        "bank": ("Tôi đã chuyển tiền vào tài khoản {v}.", "Họ đưa số tài khoản {v} để chuyển."),
        "ewallet": ("Tôi chuyển tiền qua ví {v}.",),
        "crypto": ("Họ bảo chuyển USDT đến ví {v}.",),
        "url": ("Đường link là {v} trông rất giống thật.",),
        "domain": ("Trang web {v} trông giống trang thật.",),
        "email": ("Họ gửi email từ {v}.",),
        "line": ("Họ bảo kết bạn LINE {v} để tiếp tục.",),
        "telegram": ("Họ bảo liên hệ qua Telegram {v} để tiếp tục.",),
    },
    loss=("Tôi bị mất {money}.", "Tổng thiệt hại {money}."),
    no_loss=("Tôi chưa chuyển tiền nhưng muốn báo cáo để cảnh báo người khác.",),
    hotline=("Tôi đã gọi {v} để kiểm tra và được xác nhận là lừa đảo.",),
    own_phone=("Họ gọi vào số của tôi {v}.",),
)

ID = Texts(
    openers={
        "officials_impersonated": (
            "Seorang pria mengaku petugas {org} bilang nama saya terlibat kasus pencucian uang "
            "dan saya harus memindahkan uang untuk 'verifikasi'.",
        ),
        "phishing_parcel_utility/post": (
            "Saya dapat pesan mengatasnamakan {org} bahwa paket saya tertahan dan harus bayar "
            "lewat link.",
        ),
        "phishing_parcel_utility/utility": (
            "Saya dapat SMS mengatasnamakan {org} bahwa tagihan listrik saya menunggak dan akan "
            "diputus hari ini.",
        ),
        "phishing_parcel_utility/tax": (
            "Saya dapat SMS mengatasnamakan {org} bahwa ada pengembalian pajak yang harus diklaim "
            "lewat link.",
        ),
        "malicious_app": (
            "Orang yang mengaku dari {org} menyuruh saya memasang aplikasi (file APK) untuk "
            "pembaruan data, lalu HP saya dikendalikan dan saldo rekening hilang.",
        ),
        "bank_impersonation": (
            "Seseorang mengaku CS {org} bilang ada transaksi mencurigakan di rekening saya dan "
            "minta konfirmasi data serta kode OTP.",
        ),
        "investment": (
            "Saya diajak masuk grup investasi dengan janji keuntungan besar. Awalnya bisa tarik "
            "dana, lalu diminta setor lagi untuk 'membuka' profit.",
        ),
        "job_task": (
            "Saya ditawari kerja paruh waktu like video dan menyelesaikan tugas. Setelah dibayar "
            "sedikit, saya diminta top up untuk tugas yang lebih besar.",
        ),
        "loan": (
            "Saya mengajukan pinjaman online. Mereka minta biaya asuransi dan administrasi dulu, "
            "tapi dana tidak pernah cair.",
        ),
        "fake_seller": (
            "Saya beli barang dari penjual online. Setelah transfer, penjual tidak bisa dihubungi "
            "dan barang tidak dikirim.",
        ),
        "romance": (
            "Saya kenal seseorang di media sosial yang mengaku bekerja di luar negeri. Setelah "
            "beberapa minggu, dia mengajak investasi dan minta bantuan bayar biaya.",
        ),
        "hacked_account": (
            "Akun teman saya mengirim pesan pinjam uang mendadak. Ternyata akunnya diretas.",
        ),
        "prize_qr": (
            "Saya diberi tahu menang hadiah dari {org} dan harus bayar pajak serta ongkos kirim.",
        ),
        "sextortion": (
            "Setelah video call dengan orang asing, saya diancam videonya akan disebar kalau "
            "tidak bayar.",
        ),
        "gambling_lure": (
            "Saya diajak main di situs judi online dengan bonus gratis. Menang tapi tidak bisa "
            "tarik dana kalau tidak deposit lagi.",
        ),
        "recovery": (
            "Setelah tertipu, ada 'pengacara' yang menghubungi dan janji bisa mengembalikan uang "
            "saya dengan biaya di muka.",
        ),
        "other": ("Saya ditipu oleh orang yang saya kenal lewat internet.",),
    },
    sentences={
        "call": ("Mereka menelepon dari nomor {v}.",),
        "sms": ("SMS dikirim dari nomor {v}.",),
        "whatsapp": ("Mereka menghubungi lewat WhatsApp {v}.",),
        "bank": ("Saya transfer ke rekening {v}.", "Mereka memberi rekening {v} untuk transfer."),
        "ewallet": ("Saya kirim lewat dompet digital {v}.",),
        "crypto": ("Mereka minta kirim USDT ke {v}.",),
        "url": ("Link-nya {v} dan terlihat asli.",),
        "domain": ("Situs {v} terlihat seperti situs asli.",),
        "email": ("Email dikirim dari {v}.",),
        "line": ("Saya diminta add LINE {v} untuk lanjut.",),
        "telegram": ("Saya diminta menghubungi Telegram {v} untuk lanjut.",),
    },
    loss=("Kerugian saya {money}.", "Total kerugian {money}."),
    no_loss=("Saya belum transfer apa pun tapi ingin melapor.",),
    hotline=("Saya menelepon {v} untuk mengecek dan ternyata ini penipuan.",),
    own_phone=("Mereka menelepon ke nomor saya {v}.",),
)

TL = Texts(
    openers={
        "officials_impersonated": (
            "May tumawag na nagpakilalang taga-{org} at sinabing sangkot daw ang pangalan ko sa "
            "money laundering, kaya kailangan kong ilipat ang pera ko para sa 'verification'.",
        ),
        "phishing_parcel_utility/post": (
            "Nakatanggap ako ng text na galing daw sa {org} na may naka-hold akong parcel at "
            "kailangan magbayad sa link.",
        ),
        "phishing_parcel_utility/utility": (
            "May text na galing daw sa {org} na overdue na ang bill ko at puputulan ako ngayon.",
        ),
        "phishing_parcel_utility/tax": (
            "May text na galing daw sa {org} na may tax refund ako at kailangan i-claim sa link.",
        ),
        "malicious_app": (
            "May nagpakilalang taga-{org} na nagpa-install sa akin ng app para mag-update ng "
            "info, tapos na-control ang phone ko at nawala ang pera sa account ko.",
        ),
        "bank_impersonation": (
            "May nagpanggap na empleyado ng {org} at sinabing may kahina-hinalang transaction sa "
            "account ko, tapos hiningi ang OTP ko.",
        ),
        "investment": (
            "Inimbitahan ako sa investment group na may malaking tubo. Noong una nakaka-withdraw "
            "ako, tapos pinagbayad ulit para ma-'unlock' ang kita.",
        ),
        "job_task": (
            "Inalok ako ng part-time job na mag-like ng videos at gumawa ng tasks. Pagkatapos ng "
            "maliit na bayad, pinag-top up ako para sa mas malaking task.",
        ),
        "loan": (
            "Nag-apply ako ng online loan. Pinagbayad ako ng insurance at processing fee bago "
            "i-release, pero hindi dumating ang loan.",
        ),
        "fake_seller": (
            "Bumili ako online at nagbayad na, pero hindi na sumagot ang seller at walang "
            "dumating na item.",
        ),
        "romance": (
            "May nakilala ako online na nagsabing nagtatrabaho sa abroad. Pagkalipas ng ilang "
            "linggo, niyaya akong mag-invest at magbayad ng fees.",
        ),
        "hacked_account": (
            "Nag-message ang account ng kaibigan ko para humiram ng pera agad. Na-hack pala ang "
            "account niya.",
        ),
        "prize_qr": (
            "Sinabihan akong nanalo ng premyo mula sa {org} at kailangan magbayad ng tax at "
            "delivery fee.",
        ),
        "sextortion": (
            "Pagkatapos ng video call sa isang estranghero, tinakot akong ikakalat ang video kung "
            "hindi ako magbabayad.",
        ),
        "gambling_lure": (
            "Inimbitahan akong maglaro sa online casino na may free bonus. Nanalo ako pero hindi "
            "ma-withdraw hangga't hindi nagde-deposit ulit.",
        ),
        "recovery": (
            "Matapos akong ma-scam, may 'abogado' na nag-alok na mababawi ang pera ko kapalit ng "
            "bayad muna.",
        ),
        "other": ("Naloko ako ng taong nakilala ko online.",),
    },
    sentences={
        "call": ("Tumawag sila mula sa {v}.",),
        "sms": ("Galing ang text sa {v}.",),
        "whatsapp": ("Nag-message sila sa WhatsApp gamit ang {v}.",),
        "bank": ("Nagpadala ako ng pera sa account na {v}.",),
        "ewallet": ("Nagbayad ako sa e-wallet na {v}.",),
        "crypto": ("Pinapadala nila ang USDT sa {v}.",),
        "url": ("Ang link ay {v} at mukhang totoo.",),
        "domain": ("Mukhang totoo ang website na {v} pero peke pala.",),
        "email": ("Nag-email sila mula sa {v}.",),
        "line": ("Pina-add nila ako sa LINE {v} para tuloy-tuloy.",),
        "telegram": ("Pinakontak nila ako sa Telegram {v} para tuloy-tuloy.",),
    },
    loss=("Nawalan ako ng {money}.", "Kabuuang nawala: {money}."),
    no_loss=("Wala pa akong naipadalang pera pero gusto kong i-report.",),
    hotline=("Tumawag ako sa {v} para mag-verify at scam pala ito.",),
    own_phone=("Tinawagan nila ang number ko na {v}.",),
)

TEXTS: Mapping[str, Texts] = {"en": EN, "th": TH, "ms": MS, "vi": VI, "id": ID, "tl": TL}
