package io.fleetsaga.order.order;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface OrderHistoryRepository extends JpaRepository<OrderHistoryEntry, Long> {

    List<OrderHistoryEntry> findByOrderIdOrderByVersionAsc(String orderId);
}
