package io.fleetsaga.order.order;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface FleetOrderRepository extends JpaRepository<FleetOrder, String> {

    /** The order's current row, locked for update until the transaction ends. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select o from FleetOrder o where o.id = :id")
    Optional<FleetOrder> findLocked(@Param("id") String id);
}
