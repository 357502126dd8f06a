/// Name and subject pools for generated fixtures: accents, CJK, Arabic and Hebrew (right to
/// left), emoji, so every screen and log meets real-world text.
enum Names {
    static let first = [
        "Ana", "Bruno", "Carla", "Davi", "Éverton", "Fernanda", "Gonçalo", "Helena", "Iñaki", "João",
        "Karla", "Luís", "María José", "Nuño", "Otávio", "Paula", "Renée", "Sofía", "Tomás", "Zoë",
        "محمد", "فاطمة", "علي", "نور", "יעל", "נועה", "דוד", "王芳", "李娜", "张伟", "山田", "さくら",
        "김민준", "Олег", "Chloé", "François", "Björn", "Øyvind", "Şule", "Đức",
    ]
    static let last = [
        "Souza", "Lima", "Dias", "Rocha", "Müller", "Pereira", "Martínez", "Hernández", "García", "Nuñez",
        "Ferreira", "Gómez", "Костин", "العلي", "الحسن", "כהן", "לוי", "王", "陈", "佐藤", "박", "Ødegård",
        "Łukasz", "Nguyễn", "Dubois",
    ]
    static let emoji = ["🎉", "🚀", "🌮", "☕", "🔥", "✨", "📦", "💬", "🙈", "👩‍💻", "🇧🇷", "🇲🇽"]

    static func person(_ g: inout SplitMix64) -> String {
        var name = g.pick(first) + " " + g.pick(last)
        if g.chance(0.08) { name += " " + g.pick(emoji) }
        if g.chance(0.05) { name = "~" + g.pick(first) }
        return name
    }

    static let subjectStems = [
        "Clientes VIP", "Suporte Nível 2", "Soporte Técnico", "Ventas Norte", "Equipe Noturna", "Logística",
        "Comunidade Dev", "Família Souza", "客服 支持群", "開発チーム", "مجموعة الدعم", "צוות מכירות",
        "Café & Código", "Mañaneros", "Releases", "Alertas de Pedidos", "Parceiros", "Promo Fim de Ano",
        "Feedback Beta", "Recrutamento", "Financeiro", "Eventos São Paulo", "Torcida 🇧🇷", "고객 지원",
    ]

    static func subject(_ g: inout SplitMix64, index: Int) -> String {
        var s = g.pick(subjectStems)
        if g.chance(0.35) { s += " " + g.pick(emoji) }
        if g.chance(0.3) { s += " \(index + 1)" }
        return s
    }
}
