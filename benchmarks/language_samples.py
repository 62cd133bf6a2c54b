"""Short headlines and longer bodies in the languages wire agencies send most, written for
the language benchmark (es, fr, pt, de, ar, hi, en). English also comes from the BBC and
AG News sets in ../shared/data, German from dpa's NewsML-G2 sample."""

HEADLINES = {
    "es": ["El Gobierno aprueba la reforma de las pensiones",
           "Detenido un hombre por el incendio de un bosque en Galicia",
           "La inflación baja al 2,4 % en noviembre",
           "El Real Madrid gana la final de la Copa del Rey",
           "Miles de personas se manifiestan en Buenos Aires contra los recortes"],
    "fr": ["Le gouvernement présente son projet de budget pour l'année prochaine",
           "Grève dans les transports : la circulation très perturbée à Paris",
           "Les prix de l'énergie continuent de baisser en octobre",
           "Un séisme de magnitude 6 frappe le sud du pays",
           "Le Premier ministre annonce un remaniement"],
    "pt": ["Governo anuncia novo pacote de medidas para a economia",
           "Chuvas fortes deixam milhares de desalojados no Rio Grande do Sul",
           "Inflação desacelera pelo terceiro mês seguido",
           "Presidente sanciona lei que muda as regras do ensino médio",
           "Seleção brasileira vence e garante vaga na Copa"],
    "de": ["Bundesregierung beschließt neues Heizungsgesetz",
           "Schwere Unwetter verursachen Millionenschäden in Bayern",
           "Die Inflation ist im November leicht gesunken",
           "Streik bei der Bahn: Tausende Pendler betroffen",
           "Kanzler reist zu Gesprächen nach Washington"],
    "ar": ["الحكومة تعلن عن خطة جديدة لدعم الاقتصاد",
           "زلزال بقوة ست درجات يضرب جنوب البلاد",
           "ارتفاع أسعار النفط في الأسواق العالمية",
           "الرئيس يستقبل وزير الخارجية الفرنسي",
           "انطلاق الانتخابات البرلمانية وسط إقبال كبير"],
    "hi": ["सरकार ने नई आर्थिक नीति की घोषणा की",
           "दिल्ली में भारी बारिश से यातायात प्रभावित",
           "भारत ने ऑस्ट्रेलिया को पांच विकेट से हराया",
           "प्रधानमंत्री ने किसानों के लिए नई योजना शुरू की",
           "महंगाई दर में लगातार तीसरे महीने गिरावट"],
    "en": ["Government unveils plan to cut energy bills",
           "Storm leaves thousands without power across the north",
           "Central bank holds interest rates steady",
           "Police arrest man after stabbing in city centre",
           "Prime minister faces rebellion over new tax"],
}

BODIES = {
    "es": ["El Consejo de Ministros aprobó este martes la reforma del sistema de pensiones, "
           "que prevé subir las cotizaciones de los salarios más altos para garantizar la "
           "sostenibilidad del sistema. Los sindicatos celebraron el acuerdo, mientras que la "
           "patronal advirtió de que encarecerá el empleo.",
           "Las autoridades de Galicia detuvieron el lunes a un hombre de 54 años como presunto "
           "autor del incendio que arrasó más de dos mil hectáreas de monte. Según la Guardia "
           "Civil, el detenido fue visto cerca del lugar donde comenzó el fuego."],
    "fr": ["Le gouvernement a présenté mercredi en Conseil des ministres son projet de loi de "
           "finances pour l'année prochaine. Il prévoit une réduction du déficit public grâce à "
           "des économies sur les dépenses de l'État et des collectivités locales, sans hausse "
           "générale des impôts, a assuré le ministre de l'Économie.",
           "La grève lancée par plusieurs syndicats de la RATP perturbe fortement la circulation "
           "des métros et des RER en Île-de-France. De nombreux usagers ont dû se rabattre sur "
           "le vélo ou le télétravail, tandis que les négociations reprendront jeudi."],
    "pt": ["O governo federal anunciou nesta segunda-feira um novo pacote de medidas para "
           "estimular a economia, com crédito mais barato para pequenas empresas e a redução de "
           "impostos sobre alimentos da cesta básica. Segundo o ministro da Fazenda, o impacto "
           "nas contas públicas será compensado por cortes em outras áreas.",
           "As chuvas que atingem o Rio Grande do Sul desde a semana passada já deixaram mais de "
           "dez mil pessoas desalojadas. A Defesa Civil alerta para o risco de novos "
           "deslizamentos e pede que os moradores das áreas de encosta deixem as suas casas."],
    "de": ["Das Bundeskabinett hat am Mittwoch den Entwurf für ein neues Gebäudeenergiegesetz "
           "beschlossen. Demnach sollen neu eingebaute Heizungen künftig zu mindestens 65 Prozent "
           "mit erneuerbaren Energien betrieben werden. Die Opposition kritisierte die Pläne als "
           "zu teuer für Eigentümer und Mieter.",
           "Heftige Gewitter mit Starkregen und Hagel haben in weiten Teilen Bayerns schwere "
           "Schäden angerichtet. Zahlreiche Keller liefen voll, Bäume stürzten auf Straßen und "
           "Bahngleise. Die Feuerwehr war die ganze Nacht im Einsatz."],
    "ar": ["أعلنت الحكومة يوم الثلاثاء عن خطة اقتصادية جديدة تهدف إلى دعم الشركات الصغيرة "
           "والمتوسطة وخفض معدلات البطالة. وقال وزير المالية في مؤتمر صحفي إن الخطة ستمول من "
           "خلال إعادة توزيع بنود الميزانية دون زيادة الضرائب.",
           "ضرب زلزال بقوة ست درجات على مقياس ريختر جنوب البلاد فجر اليوم، مما أدى إلى انهيار "
           "عدد من المباني القديمة. وأفادت السلطات بأن فرق الإنقاذ تعمل على انتشال العالقين "
           "تحت الأنقاض."],
    "hi": ["केंद्र सरकार ने मंगलवार को नई आर्थिक नीति की घोषणा की, जिसका उद्देश्य छोटे और मध्यम "
           "उद्योगों को बढ़ावा देना है। वित्त मंत्री ने संवाददाता सम्मेलन में कहा कि इस नीति से "
           "लाखों नए रोजगार पैदा होंगे।",
           "राजधानी दिल्ली में सोमवार रात से हो रही भारी बारिश के कारण कई इलाकों में जलभराव हो "
           "गया है। यातायात पुलिस ने लोगों से अनावश्यक यात्रा न करने की अपील की है।"],
    "en": ["The government has unveiled a plan to cut household energy bills this winter, "
           "capping the unit price of gas and electricity for two years. Ministers said the "
           "scheme would be paid for by borrowing, while critics warned it did little to "
           "reduce demand.",
           "Thousands of homes were left without power after a storm brought winds of up to "
           "90mph to northern England and Scotland. Engineers worked through the night to "
           "restore supplies, and several rail lines remained closed on Tuesday morning."],
}
