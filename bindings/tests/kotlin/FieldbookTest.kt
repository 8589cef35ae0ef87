// The FFI surface as an Android developer meets it, run on the JVM against the real library
// (JNA + the generated Kotlin bindings + kotlinx.coroutines). Run by scripts/test-ffi.sh.
// Every case uses real SQLite files in a temp directory; waits are on conditions with a
// generous timeout, never bare sleeps. The rules, queries and sync cases are in SyncTest.kt.

import app.fieldbook.*
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext

private var passed = 0
private var failed = 0

internal fun case(name: String, body: suspend () -> Unit) {
    try {
        runBlocking { body() }
        passed++
        println("ok   $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: $e")
        e.printStackTrace()
    }
}

internal fun expect(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

/** Collects record changes so a test can wait for one. */
internal class Changes : RecordObserver {
    val queue = LinkedBlockingQueue<RecordChange>()
    override fun onRecordChanged(change: RecordChange) {
        queue.add(change)
    }
    fun next(): RecordChange =
        queue.poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no change within 10 s")
    /** Waits (30 s at most) for a change matching [what], skipping others. */
    fun await(what: (RecordChange) -> Boolean): RecordChange {
        val deadline = System.nanoTime() + 30_000_000_000L
        while (true) {
            val left = deadline - System.nanoTime()
            val c = queue.poll(left.coerceAtLeast(0), TimeUnit.NANOSECONDS)
                ?: throw AssertionError("no matching change within 30 s")
            if (what(c)) return c
        }
    }
}

internal val boothTime: Instant = Instant.parse("2026-11-20T09:30:00Z")

internal fun boothLead(name: String) = LeadReferral(
    source = LeadSource.TradeShow,
    grade = LeadGrade.C,
    status = LeadStatus.Open,
    event = "2026 上海工业展",
    prospect = Prospect(name = name, company = "华东机械", phone = "13800000000"),
    registeredAt = boothTime,
    followUps = listOf(
        FollowUp(at = boothTime, channel = FollowUpChannel.Visit, said = "展位交流", nextStep = "寄样品"),
    ),
)

fun main() {
    val dir: Path = Files.createTempDirectory("fieldbook-kotlin")
    val pathA = dir.resolve("rep-a.sqlite3").toString()
    val deviceA = newDeviceId()
    var storeA = FieldbookStore.open(pathA, deviceA, "rep.li")
    val storeB = FieldbookStore.open(dir.resolve("rep-b.sqlite3").toString(), newDeviceId(), "rep.wang")
    var leadId = ""

    case("capture a lead offline (suspend call)") {
        val lead = storeA.createLead(boothLead("张伟"))
        leadId = lead.meta.id
        expect(leadId.isNotEmpty()) { "no id assigned" }
        expect(lead.meta.createdBy == "rep.li" && lead.meta.owner == "rep.li") { "meta: ${lead.meta}" }
        expect(lead.followUps.single().id.isNotEmpty()) { "follow-up got no id" }
        expect(storeA.getLead(leadId) == lead) { "read back differs" }
    }

    case("edit a lead: only what changed is written") {
        val lead = storeA.getLead(leadId)
        val call = FollowUp(at = boothTime.plusSeconds(86_400), by = "rep.li", channel = FollowUpChannel.Phone, said = "确认需求", nextStep = "报价")
        val edited = storeA.updateLead(lead.copy(grade = LeadGrade.A, followUps = lead.followUps + call))
        expect(edited.grade == LeadGrade.A) { "grade ${edited.grade}" }
        expect(edited.followUps.size == 2 && edited.followUps[0] == lead.followUps[0]) { "${edited.followUps}" }
        expect(edited.meta == lead.meta) { "meta changed: ${edited.meta}" }
    }

    case("list leads for the list screen") {
        val rows = storeA.listRecords(RecordKind.LEAD_REFERRAL)
        expect(rows.size == 1) { "rows $rows" }
        expect(rows[0].title == "张伟 (华东机械)" && rows[0].grade == "A") { "row ${rows[0]}" }
        expect(storeA.listRecords(RecordKind.CUSTOMER).isEmpty()) { "customers listed" }
    }

    case("invalid input names the field") {
        try {
            storeA.createLead(boothLead("李雷").copy(customerId = "not-an-id"))
            throw AssertionError("accepted a bad id")
        } catch (e: FieldbookException.InvalidInput) {
            expect(e.field == "customer_id") { "field ${e.field}" }
            expect(e.toString().startsWith("无效的标识 / invalid id")) { "text: $e" }
        }
    }

    case("observer hears local writes until cancelled") {
        val first = Changes()
        val handle = storeA.observeRecords(first)
        val customer = storeA.createCustomer(
            Customer(
                name = "王芳", grade = CustomerGrade.B, visitorCategory = VisitorCategory.Important,
                receptionCard = ReceptionCard(interests = "茶艺"),
            ),
        )
        val change = first.next()
        expect(change == RecordChange(customer.meta.id, RecordKind.CUSTOMER, ChangeOrigin.LOCAL)) { "$change" }
        handle.cancel()
        val second = Changes()
        val handle2 = storeA.observeRecords(second)
        storeA.updateCustomer(customer.copy(needs = "年度维保"))
        expect(second.next().id == customer.meta.id) { "second observer missed the edit" }
        expect(first.queue.isEmpty()) { "cancelled observer still called" }
        handle2.cancel()
    }

    case("same-field edits on two devices become a visible conflict") {
        val changes = Changes()
        val handle = storeB.observeRecords(changes)
        expect(storeB.importChanges(leadId, storeA.exportChanges(leadId))) { "nothing imported" }
        expect(changes.next().origin == ChangeOrigin.IMPORTED) { "import not observed" }
        handle.cancel()
        val customerOnA = storeA.listRecords(RecordKind.CUSTOMER).single().id
        try {
            storeB.getCustomer(customerOnA)
            throw AssertionError("read a record this device never received")
        } catch (e: FieldbookException.NotFound) {
            expect(e.id == customerOnA) { "id ${e.id}" }
        }
        storeA.updateLead(storeA.getLead(leadId).copy(grade = LeadGrade.B))
        storeB.updateLead(storeB.getLead(leadId).copy(grade = LeadGrade.H, lostReason = ""))
        storeA.importChanges(leadId, storeB.exportChanges(leadId))
        val conflicts = storeA.conflicts(leadId)
        val grade = conflicts.singleOrNull { it.path == "/grade" } ?: throw AssertionError("$conflicts")
        val values = (listOf(grade.winner) + grade.others).map { it.display }.toSet()
        expect(values == setOf("B", "H")) { "values $values" }
        expect(storeA.recordsWithConflicts().single().id == leadId) { "conflict not listed" }
        storeA.resolveConflict(leadId, "/grade", "\"H\"")
        expect(storeA.conflicts(leadId).isEmpty()) { "still conflicted" }
        expect(storeA.getLead(leadId).grade == LeadGrade.H) { "resolution not applied" }
    }

    case("a record survives closing and reopening the store") {
        val before = storeA.getLead(leadId)
        storeA.close()
        storeA = FieldbookStore.open(pathA, deviceA, "rep.li")
        expect(storeA.getLead(leadId) == before) { "reopened record differs" }
    }

    case("a grade from a newer app version is kept as it is") {
        val lead = storeA.createLead(boothLead("赵敏").copy(grade = LeadGrade.Other("S")))
        expect(storeA.getLead(lead.meta.id).grade == LeadGrade.Other("S")) { "lost the unknown grade" }
    }

    case("coroutines: many suspend calls from a thread pool") {
        val before = storeA.listRecords(RecordKind.LEAD_REFERRAL).size
        val started = System.nanoTime()
        val created = withContext(Dispatchers.Default) {
            (1..20).map { i -> async { storeA.createLead(boothLead("客户$i")) } }.awaitAll()
        }
        val ms = (System.nanoTime() - started) / 1_000_000
        println("     20 concurrent durable createLead calls: $ms ms")
        expect(created.map { it.meta.id }.toSet().size == 20) { "ids not unique" }
        expect(storeA.listRecords(RecordKind.LEAD_REFERRAL).size == before + 20) { "list count" }
    }

    rulesAndQueryCases(storeA, storeB)
    sampleCases(dir)
    syncCases(dir)

    storeA.close()
    storeB.close()
    println("kotlin: $passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
