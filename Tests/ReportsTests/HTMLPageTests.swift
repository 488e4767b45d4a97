import Foundation
import Testing
@testable import Reports

@Suite struct HTMLPageTests {
    @Test func textIsEscapedWhereverItGoes() {
        var page = HTMLPage(title: "run <a> & \"b\"")
        page.heading("<script>")
        page.table(header: ["<th>"], rows: [["a & b"]])
        page.preformatted("key: <value>")
        let html = page.html
        #expect(html.contains("<title>run &lt;a&gt; &amp; &quot;b&quot;</title>"))
        #expect(html.contains("<h2>&lt;script&gt;</h2>") && !html.contains("<script>"))
        #expect(html.contains("<th>&lt;th&gt;</th>") && html.contains("<td>a &amp; b</td>"))
        #expect(html.contains("<pre>key: &lt;value&gt;</pre>"))
    }

    /// A plot's file starts with an XML declaration, which HTML does not allow; the <svg> stays.
    @Test func figureInlinesTheSVGWithoutItsXMLDeclaration() {
        var page = HTMLPage(title: "t")
        page.figure(svg: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n", caption: "ROC")
        #expect(!page.html.contains("<?xml"))
        #expect(page.html.contains("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n<figcaption>ROC</figcaption>"))
    }

    @Test func galleryPicturesAreInlineDataURIsThatDecodeToTheirBytes() throws {
        var page = HTMLPage(title: "t")
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
        page.gallery([(jpeg: jpeg, caption: ["a.jpg", "true x, called y"])])
        let html = page.html
        let prefix = "src=\"data:image/jpeg;base64,"
        let start = try #require(html.range(of: prefix)).upperBound
        let encoded = html[start...].prefix { $0 != "\"" }
        #expect(Data(base64Encoded: String(encoded)) == jpeg)
        #expect(html.contains("<figcaption>a.jpg<br>true x, called y</figcaption>"))
        #expect(html.contains("alt=\"a.jpg\""))
    }

    @Test func pageReferencesNothingOnANetwork() {
        var page = HTMLPage(title: "t")
        page.paragraph("text")
        #expect(!page.html.contains("http:") && !page.html.contains("https:") && !page.html.contains("<link"))
    }
}
